@testable import LessonKit

/// Bytes from hex text, spaces allowed: `bytes("0a 05 63")`.
func bytes(_ hex: String) -> [UInt8] {
    let digits = hex.filter { !$0.isWhitespace }.map { String($0) }
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(digits[$0] + digits[$0 + 1], radix: 16)! }
}

/// Bytes as lower-case hex without spaces, as Python's `bytes.hex()` writes them.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// Builds protobuf bodies field by field, for the fields KeyValueMessage does not know.
struct BodyBuilder {
    var bytes: [UInt8] = []

    mutating func varint(_ field: UInt64, _ value: UInt64) {
        ProtobufWire.appendTag(field: field, wireType: 0, to: &bytes)
        ProtobufWire.appendVarint(value, to: &bytes)
    }

    mutating func fixed64(_ field: UInt64, _ value: UInt64) {
        ProtobufWire.appendTag(field: field, wireType: 1, to: &bytes)
        bytes += (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    mutating func lengthDelimited(_ field: UInt64, _ content: [UInt8]) {
        ProtobufWire.appendTag(field: field, wireType: 2, to: &bytes)
        ProtobufWire.appendVarint(UInt64(content.count), to: &bytes)
        bytes += content
    }

    mutating func fixed32(_ field: UInt64, _ value: UInt32) {
        ProtobufWire.appendTag(field: field, wireType: 5, to: &bytes)
        bytes += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

/// The smallest and the largest value whose varint takes `length` bytes (1 to 10).
func varintBounds(length: Int) -> (smallest: UInt64, largest: UInt64) {
    let smallest: UInt64 = length == 1 ? 0 : 1 << (7 * (length - 1))
    let largest: UInt64 = length == 10 ? .max : (1 << (7 * length)) - 1
    return (smallest, largest)
}

/// Messages that together use every field, empty and full, ASCII and not, every varint length
/// a kind can have, a status that is negative (10 bytes), and lengths that take 1, 2 and 3 bytes.
let sampleMessages: [KeyValueMessage] = [
    KeyValueMessage(),
    KeyValueMessage(key: "color", value: "blue", kind: .put),
    KeyValueMessage(key: "color", kind: .put),
    KeyValueMessage(key: "color", value: "blue", kind: .get),
    KeyValueMessage(key: "missing", kind: .get, status: .notOK),
    KeyValueMessage(value: "only a value"),
    KeyValueMessage(key: "\r\n\r\n", value: "\r\n\r\n\0", kind: .put),
    KeyValueMessage(key: "clé ✓ 鍵 🔑", value: "värde", kind: 7, status: KeyValueMessage.Status(rawValue: 42)),
    KeyValueMessage(key: "k", kind: KeyValueMessage.Kind(rawValue: 127)),
    KeyValueMessage(key: "k", kind: KeyValueMessage.Kind(rawValue: 128)),
    KeyValueMessage(key: "k", kind: KeyValueMessage.Kind(rawValue: 16_384)),
    KeyValueMessage(key: "k", kind: KeyValueMessage.Kind(rawValue: 2_097_152)),
    KeyValueMessage(key: "k", kind: KeyValueMessage.Kind(rawValue: 268_435_456)),
    KeyValueMessage(key: "k", kind: KeyValueMessage.Kind(rawValue: .max), status: KeyValueMessage.Status(rawValue: .max)),
    KeyValueMessage(kind: .get, status: KeyValueMessage.Status(rawValue: -1)),
    KeyValueMessage(status: KeyValueMessage.Status(rawValue: .min)),
    KeyValueMessage(key: String(repeating: "k", count: 127), value: String(repeating: "v", count: 128), kind: .put),
    KeyValueMessage(key: "big", value: String(repeating: "x", count: 16_384), kind: .put),
]
