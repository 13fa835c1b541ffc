// mistake: logs-own-address
// fails: logs each connection and its byte count
//
// Logs the connection's local address, which is the server's own (127.0.0.1 and the port it
// listens on), instead of its remote address, the client's. Every line looks right, and none
// says which client it was about: the same address, for every connection.
import LessonKit
import NetCore

enum LogsOwnAddress {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            while true {
                let conn: TCPConn
                do {
                    conn = try await listener.accept()
                } catch let error as NetError where error.isTemporary {
                    log.error("accept: \(error.reason); retrying in 100ms")
                    try await Task.sleep(for: .milliseconds(100))
                    continue
                }
                defer { try? conn.close() }
                let who = conn.localAddress
                log.accepted(who)
                do {
                    let count = try await copy(from: conn, to: conn)
                    log.event("closed \(who) after \(count) bytes")
                } catch let error as NetError {
                    log.event("closed \(who) after \(error.bytesTransferred) bytes: \(error.reason)")
                } catch {
                    log.event("closed \(who): \(error)")
                }
            }
        }
    }
}
