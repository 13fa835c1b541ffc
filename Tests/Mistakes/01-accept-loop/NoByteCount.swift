// mistake: no-byte-count
// fails: logs each connection and its byte count
//
// Echoes correctly but logs only `closed ADDRESS`, without the count that copy returned.
import LessonKit
import NetCore

enum NoByteCount {
    static func main() -> Never {
        acceptEach { conn, log in
            log.accepted(conn.remoteAddress)
            _ = try? await copy(from: conn, to: conn)
            log.closed(conn.remoteAddress)
            try? conn.close()
        }
    }
}
