/// The protobuf wire format, the few parts KeyValueMessage needs: varints, tags, and skipping a
/// field of any wire type. See https://protobuf.dev/programming-guides/encoding/ .
///
/// Internal on purpose: the lessons use `KeyValueMessage`, not a general protobuf library.
enum ProtobufWire {
    /// Wire type 0: a varint (int32, uint32, uint64, bool, enum, …).
    static let varint: UInt8 = 0
    /// Wire type 1: 8 bytes, little-endian (fixed64, sfixed64, double).
    static let fixed64: UInt8 = 1
    /// Wire type 2: a varint length, then that many bytes (string, bytes, embedded messages).
    static let lengthDelimited: UInt8 = 2
    /// Wire type 5: 4 bytes, little-endian (fixed32, sfixed32, float).
    static let fixed32: UInt8 = 5

    /// The longest varint: 10 bytes carry 64 bits, 7 a byte.
    static let maxVarintBytes = 10

    /// The largest field number protobuf allows (2^29 − 1).
    static let maxFieldNumber: UInt64 = (1 << 29) - 1

    /// Appends `value` as a varint: 7 bits a byte, least significant first, the high bit set on
    /// every byte but the last.
    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// The number of bytes `appendVarint` writes for `value` (1 to 10).
    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// Appends a field's tag: `field << 3 | wireType`, as a varint.
    static func appendTag(field: UInt64, wireType: UInt8, to bytes: inout [UInt8]) {
        appendVarint(field << 3 | UInt64(wireType), to: &bytes)
    }

    /// `bytes` as a String if they are valid UTF-8, else nil: checked by `UTF8Validator` (in
    /// this module, so specialized; `String(validating:as:)` runs the standard library's generic
    /// validator unspecialized on every key and value), then made on `String(decoding:)`'s
    /// fast path.
    static func string(validating bytes: ArraySlice<UInt8>) -> String? {
        var utf8 = UTF8Validator()
        guard utf8.feed(bytes), utf8.isComplete else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A human name for a wire type, for error messages.
    static func name(ofWireType wireType: UInt8) -> String {
        switch wireType {
        case 0: return "varint"
        case 1: return "64-bit"
        case 2: return "length-delimited"
        case 3: return "start group"
        case 4: return "end group"
        case 5: return "32-bit"
        default: return "undefined"
        }
    }
}

/// Reads protobuf fields from a body, front to back, checking every length against what is left
/// before it allocates or skips anything.
struct ProtobufReader {
    let bytes: ArraySlice<UInt8>
    /// The offset of the next byte to read, from the start of the body (0-based, whatever the
    /// slice's own indices are).
    private(set) var offset = 0

    /// Reads `bytes` in place: no copy.
    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset >= bytes.count }

    /// The next varint. Throws when the body ends inside it, when it is longer than 10 bytes, or
    /// when its 10th byte carries more than the 64th bit.
    mutating func readVarint() throws(ProtobufError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for index in 0..<ProtobufWire.maxVarintBytes {
            guard offset < bytes.count else { throw .truncatedVarint(at: start) }
            let byte = bytes[bytes.startIndex + offset]
            offset += 1
            if index == ProtobufWire.maxVarintBytes - 1 && byte > 1 {
                // The 10th byte holds bit 63 only; anything more overflows 64 bits (or is an 11th byte).
                throw .varintTooLong(at: start)
            }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw .varintTooLong(at: start)  // unreachable: the 10th byte is at most 1, so it ends the varint
    }

    /// The next tag, split into field number and wire type. Throws on field number 0 or one above
    /// 2^29 − 1, which protobuf forbids.
    mutating func readTag() throws(ProtobufError) -> (field: UInt64, wireType: UInt8, at: Int) {
        let start = offset
        let tag = try readVarint()
        let field = tag >> 3
        guard field >= 1, field <= ProtobufWire.maxFieldNumber else { throw .invalidFieldNumber(field, at: start) }
        return (field, UInt8(tag & 7), start)
    }

    /// The next `count` bytes, which must all be there (`field` and `at` name the field in the error).
    mutating func readBytes(_ count: UInt64, field: UInt64, at start: Int) throws(ProtobufError) -> ArraySlice<UInt8> {
        let left = bytes.count - offset
        guard count <= UInt64(left) else { throw .truncatedField(field, at: start, needs: count, left: left) }
        let end = offset + Int(count)
        defer { offset = end }
        return bytes[(bytes.startIndex + offset)..<(bytes.startIndex + end)]
    }

    /// The bytes of a length-delimited field: a varint length, then that many bytes.
    mutating func readLengthDelimited(field: UInt64, at start: Int) throws(ProtobufError) -> ArraySlice<UInt8> {
        let length = try readVarint()
        return try readBytes(length, field: field, at: start)
    }

    /// Skips the value of a field this reader does not know. Wire types 3 and 4 (groups, long
    /// deprecated) and 6 and 7 (undefined) are refused.
    mutating func skipField(_ field: UInt64, wireType: UInt8, at start: Int) throws(ProtobufError) {
        switch wireType {
        case ProtobufWire.varint: _ = try readVarint()
        case ProtobufWire.fixed64: _ = try readBytes(8, field: field, at: start)
        case ProtobufWire.lengthDelimited: _ = try readLengthDelimited(field: field, at: start)
        case ProtobufWire.fixed32: _ = try readBytes(4, field: field, at: start)
        default: throw .unsupportedWireType(wireType, field: field, at: start)
        }
    }
}
