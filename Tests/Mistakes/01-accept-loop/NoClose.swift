// mistake: no-close
// fails: closes the connection when the client is done
//
// Forgets to close the connection after the copy: the client's half-close is never answered
// with a FIN, and every finished connection keeps a descriptor.
import LessonKit
import NetCore

enum NoClose {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            var finished: [TCPConn] = []
            while true {
                let conn = try await listener.accept()
                log.accepted(conn.remoteAddress)
                do {
                    let count = try await copy(from: conn, to: conn)
                    log.event("closed \(conn.remoteAddress) after \(count) bytes")
                } catch let error as NetError {
                    log.event("closed \(conn.remoteAddress) after \(error.bytesTransferred) bytes: \(error.reason)")
                }
                finished.append(conn)  // kept, never closed
            }
        }
    }
}
