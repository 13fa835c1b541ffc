/// The message of the key-value protocol (lessons 8–11, docs/kv-protocol.md), encoded in the
/// standard protobuf (proto3) wire format. Its `.proto` is:
///
/// ```proto
/// message KeyValueMessage {
///   string key = 1;
///   string value = 2;
///   uint32 kind = 3;    // 1 = put, 2 = get
///   Status status = 4;  // in replies
/// }
/// enum Status { OK = 0; NOT_OK = 1; }
/// ```
///
/// `encoded()` is Go's `proto.Marshal(msg)`; `KeyValueMessage(decoding:)` is Go's
/// `proto.Unmarshal(body, &msg)`. Both work on the body alone: the frame around it (length and
/// footer, see `KeyValueFrame`) is the lesson's to read.
///
/// ```swift
/// let request = try KeyValueMessage(decoding: body)
/// if request.kind == .put {
///     store[request.key] = request.value
///     let reply = KeyValueMessage(key: request.key, kind: .put, status: .ok)
///     try await conn.write(KeyValueFrame.encode(reply))
/// }
/// ```
public struct KeyValueMessage: Hashable, Sendable {
    /// Field 1: the key (UTF-8 text; empty when absent).
    public var key: String
    /// Field 2: the value (UTF-8 text; empty when absent).
    public var value: String
    /// Field 3: what the request asks (`.put`, `.get`, or any other number).
    public var kind: Kind
    /// Field 4: the outcome, in replies (`.ok` when absent).
    public var status: Status

    /// A message; every field defaults to its proto3 default (empty, 0, OK).
    public init(key: String = "", value: String = "", kind: Kind = Kind(rawValue: 0), status: Status = .ok) {
        self.key = key
        self.value = value
        self.kind = kind
        self.status = status
    }

    /// What a request asks: field 3, a `uint32`. Compare with `.put` and `.get`; any other value
    /// is kept as it came (`message.kind.rawValue`).
    public struct Kind: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
        /// The number on the wire.
        public var rawValue: UInt32
        /// The kind with this number.
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// The kind with this number, written as a literal: `kind: 7`.
        public init(integerLiteral value: UInt32) { self.rawValue = value }

        /// 1: store `value` under `key`, replacing what was there.
        public static let put = Kind(rawValue: 1)
        /// 2: look `key` up.
        public static let get = Kind(rawValue: 2)

        /// `put`, `get`, or the number.
        public var description: String {
            switch rawValue {
            case 1: return "put"
            case 2: return "get"
            default: return "\(rawValue)"
            }
        }
    }

    /// The outcome of a request: field 4, the enum `Status` (an `int32` on the wire). Open, as
    /// proto3 enums are: a value other than OK and NOT_OK is kept as it came.
    public struct Status: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The number on the wire.
        public var rawValue: Int32
        /// The status with this number.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `OK = 0`: done (a get found the key). The default, so a reply with it has no field 4.
        public static let ok = Status(rawValue: 0)
        /// `NOT_OK = 1`: a get for a key that is not stored, or an unknown kind.
        public static let notOK = Status(rawValue: 1)

        /// `OK`, `NOT_OK`, or the number.
        public var description: String {
            switch rawValue {
            case 0: return "OK"
            case 1: return "NOT_OK"
            default: return "\(rawValue)"
            }
        }
    }
}

extension KeyValueMessage {
    /// The body in the protobuf wire format, like Go's `proto.Marshal`: fields in number order,
    /// a field with its default value (empty string, kind 0, status OK) left out, exactly as
    /// every protobuf library writes it. An all-default message is the empty body.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encodedSize)
        append(to: &bytes)
        return bytes
    }

    /// Appends `encoded()` to `bytes`, without an array of its own (`KeyValueFrame.encode`).
    func append(to bytes: inout [UInt8]) {
        if !key.isEmpty {
            ProtobufWire.appendTag(field: 1, wireType: ProtobufWire.lengthDelimited, to: &bytes)
            ProtobufWire.appendVarint(UInt64(key.utf8.count), to: &bytes)
            bytes.append(contentsOf: key.utf8)
        }
        if !value.isEmpty {
            ProtobufWire.appendTag(field: 2, wireType: ProtobufWire.lengthDelimited, to: &bytes)
            ProtobufWire.appendVarint(UInt64(value.utf8.count), to: &bytes)
            bytes.append(contentsOf: value.utf8)
        }
        if kind.rawValue != 0 {
            ProtobufWire.appendTag(field: 3, wireType: ProtobufWire.varint, to: &bytes)
            ProtobufWire.appendVarint(UInt64(kind.rawValue), to: &bytes)
        }
        if status.rawValue != 0 {
            // An int32 is sign-extended to 64 bits, so a negative value takes 10 bytes.
            ProtobufWire.appendTag(field: 4, wireType: ProtobufWire.varint, to: &bytes)
            ProtobufWire.appendVarint(UInt64(bitPattern: Int64(status.rawValue)), to: &bytes)
        }
    }

    /// The number of bytes `encoded()` returns.
    public var encodedSize: Int {
        var size = 0
        if !key.isEmpty { size += 1 + ProtobufWire.varintSize(UInt64(key.utf8.count)) + key.utf8.count }
        if !value.isEmpty { size += 1 + ProtobufWire.varintSize(UInt64(value.utf8.count)) + value.utf8.count }
        if kind.rawValue != 0 { size += 1 + ProtobufWire.varintSize(UInt64(kind.rawValue)) }
        if status.rawValue != 0 { size += 1 + ProtobufWire.varintSize(UInt64(bitPattern: Int64(status.rawValue))) }
        return size
    }

    /// Decodes a body in the protobuf wire format, like Go's `proto.Unmarshal`.
    ///
    /// As protobuf does: a missing field keeps its default; a field that comes more than once
    /// takes its last value; a field this message does not know (a number other than 1–4, or a
    /// known number with another wire type) is skipped, for wire types 0, 1, 2 and 5.
    ///
    /// Throws `ProtobufError` for a malformed body: a varint or field cut short by the end of
    /// the body, a varint over 10 bytes, field number 0, wire type 3, 4, 6 or 7, a key or value
    /// that is not UTF-8, a kind or status wider than 32 bits. Every length is checked against
    /// the bytes left before anything is copied, so decoding never allocates more than the
    /// body's size.
    public init(decoding body: some Collection<UInt8>) throws(ProtobufError) {
        try self.init(reading: ProtobufReader(Array(body)))
    }

    /// The same, for an array (read in place: no copy).
    public init(decoding body: [UInt8]) throws(ProtobufError) {
        try self.init(reading: ProtobufReader(body))
    }

    /// The same, for a slice, such as a frame with its footer dropped (read in place). The
    /// generic version works too, but across modules it runs unspecialized, byte by byte
    /// through witness tables: in lesson 8's reference, `perf` put 5% of the server's CPU in
    /// decoding and 3% more in copying the slice that way.
    public init(decoding body: ArraySlice<UInt8>) throws(ProtobufError) {
        try self.init(reading: ProtobufReader(body))
    }

    private init(reading: ProtobufReader) throws(ProtobufError) {
        self.init()
        var reader = reading
        while !reader.isAtEnd {
            let (field, wireType, start) = try reader.readTag()
            switch (field, wireType) {
            case (1, ProtobufWire.lengthDelimited), (2, ProtobufWire.lengthDelimited):
                let bytes = try reader.readLengthDelimited(field: field, at: start)
                guard let text = ProtobufWire.string(validating: bytes) else { throw .invalidUTF8(field: field) }
                if field == 1 { key = text } else { value = text }
            case (3, ProtobufWire.varint):
                let number = try reader.readVarint()
                guard number <= UInt64(UInt32.max) else { throw .valueTooLarge(field: 3, value: number, at: start) }
                kind = Kind(rawValue: UInt32(number))
            case (4, ProtobufWire.varint):
                let number = try reader.readVarint()
                // An int32: 32 bits, or a negative one sign-extended to 64 bits.
                let signExtended: UInt64 = 0xFFFF_FFFF_8000_0000
                guard number <= UInt64(UInt32.max) || number >= signExtended else {
                    throw .valueTooLarge(field: 4, value: number, at: start)
                }
                status = Status(rawValue: Int32(truncatingIfNeeded: number))
            default:
                try reader.skipField(field, wireType: wireType, at: start)
            }
        }
    }
}

extension KeyValueMessage: CustomStringConvertible {
    /// One line for a log: `{key: "color", value: "blue", kind: put, status: OK}`. Control
    /// characters in key and value are escaped, and text over 64 characters is cut with `…`.
    public var description: String {
        "{key: \(Self.quoted(key)), value: \(Self.quoted(value)), kind: \(kind), status: \(status)}"
    }

    /// `text` in double quotes, `"` and `\` and control characters escaped, at most 64 scalars.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == 64 {
                out += "…"
                break
            }
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5c: out += "\\\\"
            case 0x0a: out += "\\n"
            case 0x0d: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00..<0x20, 0x7f...0x9f:
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
