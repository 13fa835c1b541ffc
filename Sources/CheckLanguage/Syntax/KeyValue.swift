/// The key-value protocol of lessons 8–11 (docs/kv-protocol.md), as a check writes it: request
/// frames to send (`send a put "color" "blue"`) and replies to expect (`expect a value "blue"`).
///
/// Keys and values are bytes, not text: a string may hold `\xHH` escapes, so a check can send a
/// key that is not valid UTF-8 and see the server refuse it.

/// One request frame of `send NAME put … then get … then kv …`.
public enum KeyValueRequest: Sendable, Equatable {
    /// `put KEY VALUE`: `{key, value, kind: 1}`, encoded canonically.
    case put(key: [UInt8], value: [UInt8])
    /// `get KEY`: `{key, kind: 2}`, encoded canonically.
    case get(key: [UInt8])
    /// `kv FIELD…`: exactly these fields, in this order, repeats included (none: an empty body).
    case fields([KeyValueField])
    /// `kv body hex "…"`: these body bytes, valid protobuf or not, in a well-formed frame.
    case body([UInt8])
}

/// One field of `kv …`, written to the body as given.
public enum KeyValueField: Sendable, Equatable {
    /// `key STRING`: field 1.
    case key([UInt8])
    /// `value STRING`: field 2.
    case value([UInt8])
    /// `kind N` (`kind put` is 1, `kind get` is 2): field 3, a varint.
    case kind(UInt64)
    /// `status ok|not-ok|N`: field 4, a varint.
    case status(UInt64)
    /// `field N varint V`: any field as a varint (wire type 0).
    case varint(number: Int, UInt64)
    /// `field N fixed64 V`: wire type 1.
    case fixed64(number: Int, UInt64)
    /// `field N bytes STRING` or `field N bytes hex "…"`: wire type 2.
    case bytes(number: Int, [UInt8])
    /// `field N fixed32 V`: wire type 5.
    case fixed32(number: Int, UInt32)

    /// The largest protobuf field number (2^29 − 1).
    public static let maximumFieldNumber = (1 << 29) - 1
}

/// `expect NAME ok|not-ok|value V|reply …`: one reply frame, and what it must hold. A field left
/// nil is not compared.
public struct ExpectedReply: Sendable, Equatable {
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var kind: UInt64?
    /// 0 (`ok`), 1 (`not-ok`), or another number a script wrote.
    public var status: UInt64?

    public init(key: [UInt8]? = nil, value: [UInt8]? = nil, kind: UInt64? = nil, status: UInt64? = nil) {
        self.key = key
        self.value = value
        self.kind = kind
        self.status = status
    }

    /// `OK` in docs/kv-protocol.md.
    public static let ok: UInt64 = 0
    /// `NOT_OK`.
    public static let notOK: UInt64 = 1
    /// The `kind` of a put.
    public static let put: UInt64 = 1
    /// The `kind` of a get.
    public static let get: UInt64 = 2
}
