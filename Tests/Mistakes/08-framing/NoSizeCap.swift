// mistake: no-size-cap
// fails: closes a connection whose frame is over 1 MiB, and serves the others
//
// Believes the length: a frame that announces 1 MiB + 1 or 4 GiB is waited for (and its buffer
// allocated) instead of refused, so a stranger holds the connection and the memory as long as
// it likes.
import LessonKit
import NetCore

enum NoSizeCap {
    static func main() -> Never {
        serveKeyValue { conn, store, log in
            await handle(conn, log: log, read: readUncapped, apply: store.apply)
        }
    }

    static func readUncapped(_ conn: TCPConn) async throws -> KeyValueMessage? {
        let header: [UInt8]
        do {
            header = try await conn.readExactly(KeyValueFrame.headerSize)
        } catch let error as NetError where error.code == .unexpectedEOF && error.bytesTransferred == 0 {
            return nil
        }
        let length = littleEndianLength(header)
        guard length >= KeyValueFrame.footer.count else { throw FrameError("frame length \(length) is under 4") }
        return try await readBody(from: conn, length: length)
    }
}
