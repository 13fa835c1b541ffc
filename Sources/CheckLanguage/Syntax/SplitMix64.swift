/// SplitMix64 as a `RandomNumberGenerator`: the same seed makes the same sequence. It is the
/// one generator behind `random SIZE [seed N]` data (``RandomData/bytes(count:seed:)``, so that
/// every run and every implementation sends the same bytes), the ClientHellos the checker
/// builds (seeded from the system's generator), and the tests that need a reproducible stream.
package struct SplitMix64Generator: RandomNumberGenerator {
    var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    package mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
