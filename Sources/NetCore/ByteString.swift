/// A read cursor over bytes for parsing binary protocols, like Go's
/// `golang.org/x/crypto/cryptobyte.String`. Each `read…` either consumes what it read and
/// returns it, or returns nil (or false) and consumes nothing. No method traps on any input:
/// short input, huge length prefixes and negative counts all just fail.
///
/// ```swift
/// var record = ByteString(bytes)
/// guard let type = record.readUInt8(), type == 22,
///       record.skip(2),                                  // legacy version
///       var body = record.readUInt16LengthPrefixed() else { return nil }
/// ```
public struct ByteString: Sendable, Hashable, CustomStringConvertible {
    private var storage: ArraySlice<UInt8>

    public init(_ bytes: [UInt8]) { storage = bytes[...] }
    public init(_ bytes: ArraySlice<UInt8>) { storage = bytes }

    /// The bytes not read yet.
    public var bytes: [UInt8] { Array(storage) }
    /// How many bytes are left.
    public var count: Int { storage.count }
    /// True when every byte has been read. Like cryptobyte's `Empty`.
    public var isEmpty: Bool { storage.isEmpty }

    public var description: String {
        "ByteString(\(count) bytes: " + storage.prefix(16).map { String(format2: $0) }.joined(separator: " ") + (count > 16 ? " …)" : ")")
    }

    /// Drops `count` bytes. Like cryptobyte's `Skip`.
    public mutating func skip(_ count: Int) -> Bool {
        readSlice(count) != nil
    }

    /// Like cryptobyte's `ReadUint8`.
    public mutating func readUInt8() -> UInt8? { readInteger(1).map { UInt8($0) } }
    /// A big-endian 16-bit integer. Like cryptobyte's `ReadUint16`.
    public mutating func readUInt16() -> UInt16? { readInteger(2).map { UInt16($0) } }
    /// A big-endian 24-bit integer. Like cryptobyte's `ReadUint24`.
    public mutating func readUInt24() -> UInt32? { readInteger(3).map { UInt32($0) } }
    /// A big-endian 32-bit integer. Like cryptobyte's `ReadUint32`.
    public mutating func readUInt32() -> UInt32? { readInteger(4).map { UInt32($0) } }
    /// A big-endian 64-bit integer. Like cryptobyte's `ReadUint64`.
    public mutating func readUInt64() -> UInt64? { readInteger(8) }

    /// The next `count` bytes. Like cryptobyte's `ReadBytes`/`CopyBytes`.
    public mutating func readBytes(_ count: Int) -> [UInt8]? { readSlice(count).map(Array.init) }

    /// The next `count` bytes as a ByteString of their own. Like cryptobyte's `ReadBytes` into a `String`.
    public mutating func read(_ count: Int) -> ByteString? { readSlice(count).map(ByteString.init) }

    /// A body preceded by its 1-byte length. Like cryptobyte's `ReadUint8LengthPrefixed`.
    public mutating func readUInt8LengthPrefixed() -> ByteString? { readLengthPrefixed(1) }
    /// A body preceded by its 2-byte length. Like cryptobyte's `ReadUint16LengthPrefixed`.
    public mutating func readUInt16LengthPrefixed() -> ByteString? { readLengthPrefixed(2) }
    /// A body preceded by its 3-byte length. Like cryptobyte's `ReadUint24LengthPrefixed`.
    public mutating func readUInt24LengthPrefixed() -> ByteString? { readLengthPrefixed(3) }

    /// The next byte without consuming it.
    public func peekUInt8() -> UInt8? { storage.first }

    private mutating func readSlice(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, count <= storage.count else { return nil }
        let slice = storage.prefix(count)
        storage = storage.dropFirst(count)
        return slice
    }

    private mutating func readInteger(_ width: Int) -> UInt64? {
        guard let slice = readSlice(width) else { return nil }
        return slice.reduce(0) { $0 << 8 | UInt64($1) }
    }

    private mutating func readLengthPrefixed(_ width: Int) -> ByteString? {
        let saved = storage
        guard let length = readInteger(width), length <= UInt64(storage.count),
            let body = readSlice(Int(length))
        else {
            storage = saved
            return nil
        }
        return ByteString(body)
    }
}

extension String {
    /// Two lower-case hex digits.
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }
}
