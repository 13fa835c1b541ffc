// mistake: task-never-closes
// fails: sockets return to their starting count when every client has left
//
// One unstructured task per connection that echoes and returns without closing the conn: each
// client that leaves leaves a descriptor behind.
import LessonKit
import NetCore

enum TaskNeverCloses {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            var open: [TCPConn] = []
            while true {
                let conn = try await listener.accept()
                open.append(conn)  // kept alive, never closed
                Task {
                    log.accepted(conn.remoteAddress)
                    let count = (try? await copy(from: conn, to: conn)) ?? 0
                    log.event("closed \(conn.remoteAddress) after \(count) bytes")
                }
            }
        }
    }
}
