// mistake: no-footer-check
// fails: closes a connection on a bad footer or garbage
//
// Reads by the length, then drops the last 4 bytes without looking at them: a frame whose
// footer is wrong is answered as if it were fine, and a stream that has lost its place is never
// noticed.
import LessonKit
import NetCore

enum NoFooterCheck {
    static func main() -> Never {
        serveKeyValue { conn, store, log in
            await handle(conn, log: log, read: readIgnoringFooter, apply: store.apply)
        }
    }

    static func readIgnoringFooter(_ conn: TCPConn) async throws -> KeyValueMessage? {
        let header: [UInt8]
        do {
            header = try await conn.readExactly(KeyValueFrame.headerSize)
        } catch let error as NetError where error.code == .unexpectedEOF && error.bytesTransferred == 0 {
            return nil
        }
        let length = littleEndianLength(header)
        guard length >= KeyValueFrame.footer.count, length <= KeyValueFrame.maxLength else {
            throw FrameError("frame length \(length) is outside 4...\(KeyValueFrame.maxLength)")
        }
        let rest = try await conn.readExactly(length)
        return try KeyValueMessage(decoding: rest.dropLast(KeyValueFrame.footer.count))
    }
}
