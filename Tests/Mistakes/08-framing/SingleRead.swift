// mistake: single-read
// fails: reads a frame sent one byte at a time
//
// The article's reader: one read for the length and one for the body, each trusted to fill its
// buffer. On loopback a whole frame usually arrives at once and it works; sent a byte at a time,
// the first read returns one byte of the length, and the stream is garbage from there on.
import LessonKit
import NetCore

enum SingleRead {
    static func main() -> Never {
        serveKeyValue { conn, store, log in
            await handle(conn, log: log, read: readOnce, apply: store.apply)
        }
    }

    static func readOnce(_ conn: TCPConn) async throws -> KeyValueMessage? {
        let header = try await conn.read(upToCount: KeyValueFrame.headerSize)  // Go: reader.Read(headerBytes)
        if header.isEmpty { return nil }
        let length = littleEndianLength(header)
        guard length >= KeyValueFrame.footer.count, length <= KeyValueFrame.maxLength else {
            throw FrameError("frame length \(length) is outside 4...\(KeyValueFrame.maxLength)")
        }
        let rest = try await conn.read(upToCount: length)  // Go: reader.Read(bodyWithFooter)
        guard rest.suffix(KeyValueFrame.footer.count).elementsEqual(KeyValueFrame.footer) else {
            throw FrameError("the frame does not end with the footer 0d 0a 0d 0a")
        }
        return try KeyValueMessage(decoding: rest.dropLast(KeyValueFrame.footer.count))
    }
}
