// mistake: count-from-error-only
// fails: counts the bytes of a client that talks, then idles out
//
// On a timeout it logs the error's `bytesTransferred`, which counts only what the failed call
// moved (nothing, for a read that timed out), instead of every byte echoed on the connection.
import LessonKit
import NetCore

enum CountFromErrorOnly {
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
                    try conn.setWriteDeadline(.after(idle))
                    try await conn.write(bytes)
                    count += bytes.count
                }
                logClosed(conn, count: count, error: nil, log: log)
            } catch let error as NetError {
                logClosed(conn, count: error.bytesTransferred, error: error, log: log)
            } catch {
                logClosed(conn, count: count, error: error, log: log)
            }
        }
    }
}
