// One WebSocket frame in, one frame out (RFC 6455 §5.2):
//
//   byte 0: FIN (1 bit) · RSV1-3 (3 bits, 0 without extensions) · opcode (4 bits)
//   byte 1: MASK (1 bit, set on every client frame) · length (7 bits: 0-125, or 126, or 127)
//   then:   16-bit length when 126, 64-bit length when 127 (big-endian; the top bit 0)
//   then:   4 masking-key bytes (client frames only), then the payload, each byte XORed with
//           key[i % 4]
import NetCore

/// A frame's opcode. 3–7 and 11–15 are reserved: a frame with one is a protocol error.
enum Opcode: UInt8, Sendable {
    case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA

    /// Close, ping and pong: at most 125 bytes, never fragmented, allowed between the fragments
    /// of a message.
    var isControl: Bool { rawValue >= 0x8 }
}

/// One frame, its payload unmasked.
struct Frame: Sendable {
    var fin: Bool
    var opcode: Opcode
    var payload: [UInt8]
}

/// A reason to close the connection with a status code (RFC 6455 §7.4.1): 1002 protocol error,
/// 1007 invalid data (not UTF-8), 1009 message too big.
struct CloseError: Error, CustomStringConvertible {
    var code: UInt16
    var description: String

    static func protocolError(_ why: String) -> CloseError { CloseError(code: 1002, description: "protocol error: \(why)") }
}

/// Reads one frame. `dataLimit` is how many payload bytes a text, binary or continuation frame may
/// still carry before its message passes the read limit: a bigger one is refused (1009) from
/// its length alone, before its payload is read. Go: what gorilla's `NextReader` does per frame.
func readFrame(from conn: some Conn, dataLimit: Int) async throws -> Frame {
    let head = try await conn.readExactly(2)
    let fin = head[0] & 0x80 != 0
    guard head[0] & 0x70 == 0 else { throw CloseError.protocolError("reserved bits set") }
    guard let opcode = Opcode(rawValue: head[0] & 0x0F) else {
        throw CloseError.protocolError("unknown opcode \(head[0] & 0x0F)")
    }
    guard head[1] & 0x80 != 0 else { throw CloseError.protocolError("unmasked frame") }
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
    let mask = try await conn.readExactly(4)
    var payload = length == 0 ? [] : try await conn.readExactly(Int(length))
    for i in payload.indices { payload[i] ^= mask[i & 3] }
    return Frame(fin: fin, opcode: opcode, payload: payload)
}

/// The bytes as one big-endian number.
func bigEndian(_ bytes: [UInt8]) -> UInt64 {
    bytes.reduce(0) { $0 << 8 | UInt64($1) }
}

/// One unfragmented, unmasked frame (servers never mask), with the shortest length form.
func encodeFrame(_ opcode: Opcode, _ payload: [UInt8]) -> [UInt8] {
    var frame: [UInt8] = [0x80 | opcode.rawValue]
    frame.reserveCapacity(payload.count + 10)
    switch payload.count {
    case 0...125:
        frame.append(UInt8(payload.count))
    case 126...0xFFFF:
        frame.append(126)
        frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    default:
        frame.append(127)
        frame += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(payload.count) >> (8 * $0)) }
    }
    return frame + payload
}

/// A close frame with `code` and a reason (RFC 6455 §5.5.1).
func encodeClose(_ code: UInt16, _ reason: String = "") -> [UInt8] {
    encodeFrame(.close, [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
}
