// mistake: footer-search
// fails: takes the footer's bytes inside a value as data
//
// Finds the end of a frame by searching the stream for the footer, as the article's
// non-blocking servers do, and ignores the length. A value holding "\r\n\r\n" cuts its frame in
// two: the first part is a malformed body, and the connection is closed.
import LessonKit
import NetCore

enum FooterSearch {
    static func main() -> Never {
        serveKeyValue { conn, store, log in
            let reader = FooterSearchingReader()
            await handle(conn, log: log, read: reader.next, apply: store.apply)
        }
    }
}

/// Keeps what has arrived and cuts a frame at the first footer it finds.
final class FooterSearchingReader {
    private var pending: [UInt8] = []

    func next(_ conn: TCPConn) async throws -> KeyValueMessage? {
        while true {
            if let end = pending.firstRange(of: KeyValueFrame.footer) {
                let frame = Array(pending[..<end.lowerBound])
                pending.removeFirst(end.upperBound)
                guard frame.count >= KeyValueFrame.headerSize else { throw FrameError("a frame shorter than its length") }
                return try KeyValueMessage(decoding: frame.dropFirst(KeyValueFrame.headerSize))
            }
            guard pending.count <= KeyValueFrame.maxLength + KeyValueFrame.headerSize else {
                throw FrameError("no footer in the first \(pending.count) bytes")
            }
            let bytes = try await conn.read(upToCount: 64 * 1024)
            if bytes.isEmpty {
                if pending.isEmpty { return nil }
                throw FrameError("the connection ended within a frame")
            }
            pending += bytes
        }
    }
}
