// mistake: text-lines
// fails: echoes 1 MiB of binary data byte for byte
//
// Treats the connection as text: decodes each read as UTF-8 and writes the string back. Invalid
// UTF-8 becomes U+FFFD, so random bytes come back changed (and longer).
import LessonKit
import NetCore

enum TextLines {
    static func main() -> Never {
        acceptEach { conn, log in
            log.accepted(conn.remoteAddress)
            var count = 0
            while let bytes = try? await conn.read(upToCount: 4096), !bytes.isEmpty {
                let text = String(decoding: bytes, as: UTF8.self)
                try? await conn.write(text)
                count += bytes.count
            }
            log.event("closed \(conn.remoteAddress) after \(count) bytes")
            try? conn.close()
        }
    }
}
