// mistake: deadline-set-once
// fails: keeps a client that talks more often than the timeout
//
// Sets the read deadline once, when the connection arrives: it is a point in time, so a client
// that keeps talking is still cut off one timeout after it connected.
import LessonKit
import NetCore

enum DeadlineSetOnce {
    static func main() -> Never {
        serveEachConnection { conn, idle, log in
            defer { try? conn.close() }
            log.accepted(conn.remoteAddress)
            var count = 0
            do {
                try conn.setReadDeadline(.after(idle))
                try conn.setWriteDeadline(.after(idle))
                while true {
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
