// mistake: no-write-deadline
// fails: cuts off a client that never reads
//
// Bounds every read but not the writes: a client that sends and never reads fills the buffers,
// the echo's write waits forever, and the read deadline is never reached again.
import LessonKit
import NetCore

enum NoWriteDeadline {
    static func main() -> Never {
        serveEachConnection { conn, idle, log in
            defer { try? conn.close() }
            log.accepted(conn.remoteAddress)
            var count = 0
            do {
                while true {
                    try conn.setReadDeadline(.after(idle))
                    let bytes = try await conn.read(upToCount: 32 * 1024)
                    if bytes.isEmpty { break }
                    try await conn.write(bytes)
                    count += bytes.count
                }
                logClosed(conn, count: count, error: nil, log: log)
            } catch {
                logClosed(conn, count: count, error: error, log: log)
            }
        }
    }
}
