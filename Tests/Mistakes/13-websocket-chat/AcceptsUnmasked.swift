// mistake: accepts-unmasked
// fails: conformance 1-2: framing, pings and pongs
//
// Reads the mask key only when the MASK bit is set, and takes an unmasked client frame as a
// message. RFC 6455 says a server must close such a connection (1002): masking is what keeps a
// browser's traffic from being mistaken for something else by proxies along the way.
import LessonKit
import NetCore

enum AcceptsUnmasked {
    static func main() -> Never {
        serveChat(Variant(frameReader: { try await readMaybeMasked(from: $0, dataLimit: $1) }))
    }

    static func readMaybeMasked(from conn: some Conn, dataLimit: Int) async throws -> Frame {
        let head = try await conn.readExactly(2)
        let fin = head[0] & 0x80 != 0
        guard head[0] & 0x70 == 0 else { throw CloseError.protocolError("reserved bits set") }
        guard let opcode = Opcode(rawValue: head[0] & 0x0F) else {
            throw CloseError.protocolError("unknown opcode \(head[0] & 0x0F)")
        }
        let masked = head[1] & 0x80 != 0
        var length = UInt64(head[1] & 0x7F)
        if length == 126 {
            length = bigEndian(try await conn.readExactly(2))
        } else if length == 127 {
            length = bigEndian(try await conn.readExactly(8))
            guard length >> 63 == 0 else { throw CloseError.protocolError("64-bit length with the top bit set") }
        }
        if opcode.isControl {
            guard fin else { throw CloseError.protocolError("fragmented control frame") }
            guard length <= 125 else { throw CloseError.protocolError("control frame of \(length) bytes (over 125)") }
        } else if length > UInt64(max(dataLimit, 0)) {
            throw CloseError(code: 1009, description: "message over the read limit")
        }
        let mask = masked ? try await conn.readExactly(4) : [0, 0, 0, 0]
        var payload = length == 0 ? [] : try await conn.readExactly(Int(length))
        for i in payload.indices { payload[i] ^= mask[i & 3] }
        return Frame(fin: fin, opcode: opcode, payload: payload)
    }
}
