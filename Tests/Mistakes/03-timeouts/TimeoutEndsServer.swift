// mistake: timeout-ends-server
// fails: says why each connection closed
//
// Treats the timeout as fatal: the deadline's error is not caught in the connection's task. It
// cancels the throwing group: no `closed` line is ever logged, and every connection after it
// is cancelled as soon as it arrives, while the accept loop goes on as if all were well.
import LessonKit
import NetCore

enum TimeoutEndsServer {
    static func main() -> Never {
        LessonProgram.run(flags: [.idleTimeout]) { options, log in
            let idle = options.idleTimeout ?? .seconds(5)
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await withThrowingDiscardingTaskGroup { group in
                while true {
                    let conn = try await listener.accept()
                    group.addTask {
                        defer { try? conn.close() }
                        log.accepted(conn.remoteAddress)
                        var count = 0
                        while true {
                            try conn.setReadDeadline(.after(idle))
                            let bytes = try await conn.read(upToCount: 32 * 1024)
                            if bytes.isEmpty { break }
                            try conn.setWriteDeadline(.after(idle))
                            try await conn.write(bytes)
                            count += bytes.count
                        }
                        log.event("closed \(conn.remoteAddress) after \(count) bytes")
                    }
                }
            }
        }
    }
}
