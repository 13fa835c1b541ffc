// mistake: reset-ends-server
// fails: survives a client that resets mid-stream
//
// Lets the copy's error escape the accept loop: the first client that resets the connection
// ends the whole program.
import LessonKit
import NetCore

enum ResetEndsServer {
    static func main() -> Never {
        acceptEach { conn, log in
            log.accepted(conn.remoteAddress)
            let count = try await copy(from: conn, to: conn)  // a reset throws out of the loop
            log.event("closed \(conn.remoteAddress) after \(count) bytes")
            try conn.close()
        }
    }
}
