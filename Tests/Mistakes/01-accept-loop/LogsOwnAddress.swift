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
        acceptEach { conn, log in
            defer { try? conn.close() }
            let who = conn.localAddress  // the mistake: this is the server's own address
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
