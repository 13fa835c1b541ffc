// mistake: read-all-then-write
// fails: cuts off a client that never reads
//
// Collects everything the client sends and echoes it only at the end of the stream: a client
// that sends 64 MiB makes the server hold 64 MiB (and more, as the array grows).
import LessonKit
import NetCore

enum ReadAllThenWrite {
    static func main() -> Never {
        serveEachConnection { conn, idle, log in
            defer { try? conn.close() }
            log.accepted(conn.remoteAddress)
            var everything: [UInt8] = []
            do {
                while true {
                    try conn.setReadDeadline(.after(idle))
                    let bytes = try await conn.read(upToCount: 32 * 1024)
                    if bytes.isEmpty { break }
                    everything += bytes
                }
                try conn.setWriteDeadline(.after(idle))
                try await conn.write(everything)
                logClosed(conn, count: everything.count, error: nil, log: log)
            } catch {
                logClosed(conn, count: everything.count, error: error, log: log)
            }
        }
    }
}
