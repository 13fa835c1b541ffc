import Testing
@testable import NetCore

@Suite("ByteString")
struct ByteStringTests {
    @Test("reads big-endian integers and length-prefixed bodies")
    func reads() {
        var s = ByteString([0x16, 0x03, 0x01, 0x00, 0x03, 0xAA, 0xBB, 0xCC, 0x00, 0x00, 0x01, 0x7F, 1, 2, 3, 4, 5, 6, 7, 8])
        #expect(s.readUInt8() == 0x16)
        #expect(s.readUInt16() == 0x0301)
        var body = s.readUInt16LengthPrefixed() ?? ByteString([])
        #expect(body.bytes == [0xAA, 0xBB, 0xCC])
        let value = body.readUInt24()
        #expect(value == 0xAABBCC)
        #expect(body.isEmpty)
        #expect(s.readUInt24LengthPrefixed()?.bytes == [0x7F])
        #expect(s.readUInt64() == 0x0102030405060708)
        #expect(s.isEmpty)
    }

    @Test("a failed read consumes nothing")
    func failedReadConsumesNothing() {
        var s = ByteString([0x00, 0x05, 0x01, 0x02])
        #expect(s.readUInt16LengthPrefixed() == nil, "length 5 but only 2 bytes follow")
        #expect(s.count == 4)
        let skippedTooFar = s.skip(5)
        #expect(!skippedTooFar)
        #expect(s.count == 4)
        #expect(s.readBytes(-1) == nil)
        let skippedNegative = s.skip(-1)
        #expect(!skippedNegative)
        #expect(s.readUInt32() == 0x0005_0102)
        #expect(s.readUInt8() == nil)
    }

    @Test("random input never traps")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let count = Int.random(in: 0..<40, using: &generator)
            var s = ByteString((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            for _ in 0..<12 {
                switch Int.random(in: 0..<9, using: &generator) {
                case 0: _ = s.readUInt8()
                case 1: _ = s.readUInt16()
                case 2: _ = s.readUInt24()
                case 3: _ = s.readUInt32()
                case 4: _ = s.readUInt8LengthPrefixed()
                case 5: _ = s.readUInt16LengthPrefixed()
                case 6: _ = s.readUInt24LengthPrefixed()
                case 7: _ = s.skip(Int.random(in: -3..<50, using: &generator))
                default: _ = s.readBytes(Int.random(in: -3..<50, using: &generator))
                }
            }
        }
    }
}
