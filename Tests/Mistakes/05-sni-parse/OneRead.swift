// mistake: one-read
// fails: reads a hello delivered one byte at a time
//
// Takes a single read to be the whole hello and parses the records out of it. Every test with a
// client that sends its hello in one write passes; a hello that arrives in pieces is refused.
import NetCore

enum OneRead {
    static func main() -> Never {
        HelloServer(readHello: { _, conn, _ in
            // The mistake: whatever one read returns is taken to be every record of the hello.
            var records = ByteString(try await conn.read(upToCount: 64 * 1024))
            var message: [UInt8] = []
            while true {
                guard records.readUInt8() == 22, records.skip(2), let fragment = records.readUInt16LengthPrefixed() else {
                    throw HelloError("malformed record")
                }
                message += fragment.bytes
                var header = ByteString(message)
                guard let type = header.readUInt8(), let length = header.readUInt24() else { throw HelloError("truncated handshake header") }
                guard type == 1 else { throw HelloError("handshake message type \(type) is not a ClientHello (1)") }
                if header.count >= Int(length) { return Array(message.prefix(4 + Int(length))) }
                if records.isEmpty { throw HelloError("truncated ClientHello") }
            }
        }).run()
    }
}
