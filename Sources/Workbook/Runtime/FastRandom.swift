/// The bytes of `RandomData.bytes(count:seed:)`, made eight at a time (a debug build makes 8 MiB
/// in a fraction of the time).
func fastRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    guard count > 0 else { return [] }
    let words = (count + 7) / 8
    var out = [UInt8](repeating: 0, count: words * 8)
    out.withUnsafeMutableBytes { raw in
        let p = raw.baseAddress!
        var state = seed
        for w in 0..<words {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            p.storeBytes(of: z.littleEndian, toByteOffset: w * 8, as: UInt64.self)
        }
    }
    out.removeLast(words * 8 - count)
    return out
}
