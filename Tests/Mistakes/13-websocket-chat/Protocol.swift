// The words of RFC 6455 that the rest of the program speaks: opcodes, frames, close codes.
// Given: the lesson is in main.swift.
//
// A frame (RFC 6455 §5.2):
//
//   byte 0: FIN (1 bit) · RSV1-3 (3 bits, 0 without extensions) · opcode (4 bits)
//   byte 1: MASK (1 bit, set on every client frame) · length (7 bits: 0-125, or 126, or 127)
//   then:   16-bit length when 126, 64-bit length when 127 (big-endian; the top bit 0)
//   then:   4 masking-key bytes (client frames only), then the payload, each byte XORed with
//           key[i % 4]

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

/// A close frame with `code` and a reason (RFC 6455 §5.5.1).
func encodeClose(_ code: UInt16, _ reason: String = "") -> [UInt8] {
    encodeFrame(.close, [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
}

/// The codes a close frame may carry (RFC 6455 §7.4 and the IANA registry): 1004, 1005, 1006
/// and 1015 are never sent, 1016–2999 are unassigned, under 1000 and over 4999 unused.
func isValidCloseCode(_ code: UInt16) -> Bool {
    switch code {
    case 1000...1003, 1007...1011, 3000...4999: true
    default: false
    }
}
