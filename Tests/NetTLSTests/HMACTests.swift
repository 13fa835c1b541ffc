import NetTLS
import Testing

@Suite("HMAC-SHA256, MAC comparison and secure random bytes (OpenSSL)")
struct HMACTests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func rfc4231Vectors() {
        // RFC 4231 test case 1 (20-byte key of 0x0b) and test case 2 ("Jefe").
        #expect(
            hex(hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            hex(hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Test case 6: a key longer than the block size is hashed first.
        #expect(
            hex(
                hmacSHA256(
                    key: [UInt8](repeating: 0xaa, count: 131),
                    data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(hmacSHA256(key: [], data: []).count == 32)
    }

    @Test func macComparison() {
        let mac = hmacSHA256(key: [1, 2, 3], data: [4])
        #expect(macsEqual(mac, mac))
        #expect(!macsEqual(mac, Array(mac.dropLast())))
        var last = mac
        last[31] ^= 1
        #expect(!macsEqual(mac, last))
        #expect(macsEqual([], []))
    }

    @Test func randomBytes() {
        let a = secureRandomBytes(32), b = secureRandomBytes(32)
        #expect(a?.count == 32 && b?.count == 32 && a != b)
        #expect(secureRandomBytes(0) == [])
    }
}
