// mistake: no-byte-count
// fails: logs each connection and its byte count
//
// Echoes correctly but logs only `closed ADDRESS`, without the count that copy returned.
import LessonKit
import NetCore

enum NoByteCount {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            while true {
                let conn = try await listener.accept()
                log.accepted(conn.remoteAddress)
                _ = try? await copy(from: conn, to: conn)
                log.closed(conn.remoteAddress)
                try? conn.close()
            }
        }
    }
}
