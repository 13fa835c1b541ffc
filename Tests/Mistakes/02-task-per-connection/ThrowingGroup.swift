// mistake: throwing-group
// fails: a client that resets does not disturb the others
//
// Runs the copies in a throwing task group and lets their errors out: the first client that
// resets its connection cancels the group, so every other connection is cancelled at once, and
// every connection accepted after it starts cancelled (the accept loop itself goes on).
import LessonKit
import NetCore

enum ThrowingGroup {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await withThrowingDiscardingTaskGroup { group in
                while true {
                    let conn = try await listener.accept()
                    group.addTask {
                        defer { try? conn.close() }
                        log.accepted(conn.remoteAddress)
                        let count = try await copy(from: conn, to: conn)
                        log.event("closed \(conn.remoteAddress) after \(count) bytes")
                    }
                }
            }
        }
    }
}
