// mistake: deadline-per-read
// fails: closes a client that trickles its hello at the deadline
//
// Moves the deadline forward before every read, as lesson 3's idle timeout does. A client that
// trickles its hello one byte at a time, just faster than the timeout, holds the connection forever.
import NetCore

enum DeadlinePerRead {
    static func main() -> Never {
        HelloServer(
            startDeadline: { _, _ in },
            readExactly: { conn, count, timeout in
                var bytes: [UInt8] = []
                while bytes.count < count {
                    try conn.setReadDeadline(.after(timeout))  // the mistake: pushed forward on every read
                    let piece = try await conn.read(upToCount: count - bytes.count)
                    if piece.isEmpty { throw NetError(.unexpectedEOF, op: "read") }
                    bytes += piece
                }
                return bytes
            }
        ).run()
    }
}
