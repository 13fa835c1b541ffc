/// Appends big-endian integers and length-prefixed blocks: the writing side of NetCore's
/// `ByteString`, like Go's `cryptobyte.Builder`. A block's length prefix is filled in when its
/// body is done.
struct ByteBuilder {
    private(set) var bytes: [UInt8] = []

    mutating func uint8(_ value: UInt8) { bytes.append(value) }

    mutating func uint16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xff)] }

    mutating func append(_ more: [UInt8]) { bytes += more }

    /// `body`'s bytes after a `width`-byte big-endian length (1, 2 or 3), like cryptobyte's
    /// `AddUint8LengthPrefixed` and friends. The callers build bodies whose sizes they bound, so
    /// a body too long for its prefix is a bug in netlab, not bad input: it stops here.
    mutating func lengthPrefixed(_ width: Int, _ body: (inout ByteBuilder) -> Void) {
        var inner = ByteBuilder()
        body(&inner)
        let count = inner.bytes.count
        precondition((1...3).contains(width) && count < 1 << (8 * width), "a \(count)-byte block does not fit a \(width)-byte length")
        for shift in stride(from: 8 * (width - 1), through: 0, by: -8) { bytes.append(UInt8((count >> shift) & 0xff)) }
        bytes += inner.bytes
    }
}
