/// The bytes of `RandomData.bytes(count:seed:)`, made eight at a time (a debug build makes 8 MiB
/// in a fraction of the time).
import CheckLanguage
func fastRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    guard count > 0 else { return [] }
    let words = (count + 7) / 8
    var out = [UInt8](repeating: 0, count: words * 8)
    out.withUnsafeMutableBytes { raw in
        let p = raw.baseAddress!
        var generator = SplitMix64Generator(seed: seed)
        for w in 0..<words {
            let z = generator.next()
            p.storeBytes(of: z.littleEndian, toByteOffset: w * 8, as: UInt64.self)
        }
    }
    out.removeLast(words * 8 - count)
    return out
}
