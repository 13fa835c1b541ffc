import CheckLanguage
import CheckResults

/// The checker's own codec for the key-value protocol (docs/kv-protocol.md): protobuf's wire
/// format for `KeyValueMessage` and the frame around it. Written apart from LessonKit's on
/// purpose, so that a bug in the codec a lesson uses cannot make the checks agree with it.
enum KeyValueWire {
    /// A frame's length field: 4 bytes, little-endian.
    static let headerSize = 4
    /// `0d 0a 0d 0a`
    static let footer: [UInt8] = [0x0d, 0x0a, 0x0d, 0x0a]
    /// The largest `length` (body and footer): 1 MiB.
    static let maximumLength = 1 << 20

    // MARK: Encoding

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    /// `value`'s low `count` bytes, least significant first: a fixed64, a fixed32, a frame's length.
    static func littleEndian(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    static func tag(_ number: Int, _ wireType: UInt64) -> [UInt8] { varint(UInt64(number) << 3 | wireType) }

    static func lengthDelimited(_ number: Int, _ bytes: [UInt8]) -> [UInt8] {
        tag(number, 2) + varint(UInt64(bytes.count)) + bytes
    }

    static func encode(_ field: KeyValueField) -> [UInt8] {
        switch field {
        case .key(let b): lengthDelimited(1, b)
        case .value(let b): lengthDelimited(2, b)
        case .kind(let n): tag(3, 0) + varint(n)
        case .status(let n): tag(4, 0) + varint(n)
        case .varint(let number, let n): tag(number, 0) + varint(n)
        case .fixed64(let number, let n): tag(number, 1) + littleEndian(n, 8)
        case .bytes(let number, let b): lengthDelimited(number, b)
        case .fixed32(let number, let n): tag(number, 5) + littleEndian(UInt64(n), 4)
        }
    }

    /// The body of a request: canonical for `put` and `get` (fields in number order, defaults
    /// left out), as written for `kv`.
    static func body(_ request: KeyValueRequest) -> [UInt8] {
        func canonical(_ fields: [KeyValueField]) -> [UInt8] {
            fields.flatMap { field -> [UInt8] in
                switch field {
                case .key(let b), .value(let b): b.isEmpty ? [] : encode(field)
                default: encode(field)
                }
            }
        }
        switch request {
        case .put(let key, let value): return canonical([.key(key), .value(value), .kind(ExpectedReply.put)])
        case .get(let key): return canonical([.key(key), .kind(ExpectedReply.get)])
        case .fields(let fields): return fields.flatMap(encode)
        case .body(let bytes): return bytes
        }
    }

    /// A whole frame: length, body, footer. The length is whatever the body makes it, even past
    /// the limit (a script's lines are far too short for that).
    static func frame(_ body: [UInt8]) -> [UInt8] {
        littleEndian(UInt64(UInt32(truncatingIfNeeded: body.count + footer.count)), headerSize) + body + footer
    }

    // MARK: Decoding

    /// A decoded `KeyValueMessage`; fields not present hold their defaults.
    struct Message: Equatable {
        var key: [UInt8] = []
        var value: [UInt8] = []
        var kind: UInt64 = 0
        var status: UInt64 = 0
        /// Fields of other numbers that were skipped.
        var unknownFields = 0
    }

    /// Why a body is malformed, in words: `truncated varint at byte 3`.
    struct Malformed: Error, Equatable {
        var reason: String
    }

    /// Decodes a body as proto3 says: unknown fields of wire types 0, 1, 2 and 5 are skipped,
    /// the last of a repeated field wins, strings must be UTF-8 and `kind` and `status` 32-bit.
    static func decode(_ body: [UInt8]) throws(Malformed) -> Message {
        var message = Message()
        var i = 0
        func readVarint(_ what: String) throws(Malformed) -> UInt64 {
            let start = i
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < body.count else { throw Malformed(reason: "truncated \(what) at byte \(start)") }
                let byte = body[i]
                i += 1
                if shift == 63, byte > 1 { throw Malformed(reason: "\(what) at byte \(start) does not fit in 64 bits") }
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
                if shift > 63 { throw Malformed(reason: "\(what) at byte \(start) is longer than 10 bytes") }
            }
        }
        func skip(_ count: UInt64, _ what: String, at start: Int) throws(Malformed) -> ArraySlice<UInt8> {
            guard count <= UInt64(body.count - i) else {
                throw Malformed(reason: "\(what) at byte \(start) needs \(count) bytes; only \(body.count - i) are left")
            }
            defer { i += Int(count) }
            return body[i..<(i + Int(count))]
        }
        while i < body.count {
            let start = i
            let key = try readVarint("field tag")
            let number = key >> 3
            let wireType = key & 7
            guard number >= 1, number <= UInt64(KeyValueField.maximumFieldNumber) else {
                throw Malformed(reason: "field number \(number) at byte \(start) is not valid (1 to \(KeyValueField.maximumFieldNumber))")
            }
            let known = number <= 4
            switch (wireType, number) {
            case (0, 3), (0, 4):
                let value = try readVarint("varint of field \(number)")
                guard value <= UInt64(UInt32.max) else {
                    throw Malformed(reason: "field \(number) (\(number == 3 ? "kind" : "status")) is \(value), more than 32 bits")
                }
                if number == 3 { message.kind = value } else { message.status = value }
            case (2, 1), (2, 2):
                let length = try readVarint("length of field \(number)")
                let bytes = Array(try skip(length, "field \(number)", at: start))
                guard String(validating: bytes, as: UTF8.self) != nil else {
                    throw Malformed(reason: "field \(number) (\(number == 1 ? "key" : "value")) is not valid UTF-8")
                }
                if number == 1 { message.key = bytes } else { message.value = bytes }
            case (_, _) where known:
                throw Malformed(reason: "field \(number) at byte \(start) has wire type \(wireType); expected \(number <= 2 ? 2 : 0)")
            case (0, _):
                _ = try readVarint("varint of field \(number)")
                message.unknownFields += 1
            case (1, _):
                _ = try skip(8, "fixed64 field \(number)", at: start)
                message.unknownFields += 1
            case (2, _):
                let length = try readVarint("length of field \(number)")
                _ = try skip(length, "field \(number)", at: start)
                message.unknownFields += 1
            case (5, _):
                _ = try skip(4, "fixed32 field \(number)", at: start)
                message.unknownFields += 1
            default:
                throw Malformed(reason: "field \(number) at byte \(start) has wire type \(wireType), which this message cannot hold")
            }
        }
        return message
    }

    /// What the start of a stream holds.
    enum FrameScan: Equatable {
        /// Not a whole frame yet: so many bytes are needed in all (4 before the length is known).
        case incomplete(needed: Int)
        /// A frame of `size` bytes in all, with this body.
        case frame(body: [UInt8], size: Int)
        /// Not a valid frame, and why.
        case invalid(String)
    }

    /// Looks at the start of `bytes` for one frame; checks the length before anything of that
    /// size is needed, and the footer.
    static func scan(_ bytes: [UInt8]) -> FrameScan {
        guard bytes.count >= headerSize else { return .incomplete(needed: headerSize) }
        let length = (0..<4).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        guard length >= footer.count else {
            return .invalid("its length is \(length), less than the 4 bytes of the footer")
        }
        guard length <= maximumLength else {
            return .invalid("its length is \(length), more than the limit of \(maximumLength) (1 MiB)")
        }
        let size = headerSize + length
        guard bytes.count >= size else { return .incomplete(needed: size) }
        let end = Array(bytes[(size - footer.count)..<size])
        guard end == footer else {
            return .invalid("it ends with \(end.map(Bytes.hex).joined(separator: " ")) where the footer 0d 0a 0d 0a should be")
        }
        return .frame(body: Array(bytes[headerSize..<(size - footer.count)]), size: size)
    }
}
