/// The bytes behind `send … random SIZE [seed N] [as NAME]`, defined here so that every run (and
/// every implementation) sends the same bytes.
extension RandomData {
    /// The seed: `seed N` when given, else FNV-1a (64-bit) of the check's name, a NUL, and the
    /// data's concrete name (`d3` for `d{i}` with i = 3), or `line:column` of the step when the
    /// data is unnamed.
    public func effectiveSeed(checkName: String, resolvedName: String?, location: SourceLocation) -> UInt64 {
        if let seed { return seed }
        let key = resolvedName ?? "\(location.line):\(location.column)"
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in Array(checkName.utf8) + [0] + Array(key.utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// `count` bytes from SplitMix64 seeded with `seed`, each 64-bit output little-endian.
    public static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(max(0, count))
        var generator = SplitMix64Generator(seed: seed)
        while out.count < count {
            let z = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) where out.count < count {
                out.append(UInt8(truncatingIfNeeded: z >> UInt64(shift)))
            }
        }
        return out
    }
}

extension Delivery {
    /// The sizes of the pieces for `total` bytes, in order: every piece but the last is `size`
    /// bytes for `in chunks of SIZE`; for `in N chunks`, the first `total % N` pieces are one byte
    /// longer than the others, and there are never more pieces than bytes.
    public func pieceSizes(total: Int) -> [Int] {
        guard total > 0 else { return [] }
        switch chunking {
        case .size(let size):
            let size = max(1, size)
            var pieces = [Int](repeating: size, count: total / size)
            if total % size != 0 { pieces.append(total % size) }
            return pieces
        case .count(let n):
            let n = max(1, min(n, total))
            let base = total / n
            let extra = total % n
            return (0..<n).map { $0 < extra ? base + 1 : base }
        }
    }
}
