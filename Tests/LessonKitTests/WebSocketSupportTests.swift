import Foundation
import NetCore
import NetTLS
import Testing
@testable import LessonKit

/// What LessonKit gives the WebSocket lesson: the handshake's cryptography (OpenSSL's SHA-1 and
/// base64), a request-head reader, and a UTF-8 validator that can be fed in pieces.
@Suite("LessonKit WebSocket support")
struct WebSocketSupportTests {
    @Test("Sec-WebSocket-Accept: RFC 6455's own example")
    func acceptOfTheRFCExample() {
        #expect(WebSocketHandshake.accept(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(WebSocketHandshake.guid == "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
    }

    @Test("SHA-1 and base64 give the published test vectors (FIPS 180, RFC 4648)")
    func vectors() {
        let hex = sha1(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(hex == "a9993e364706816aba3e25717850c26c9cd0d89d")
        let empty = sha1([]).map { String(format: "%02x", $0) }.joined()
        #expect(empty == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let pairs = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in pairs {
            #expect(base64Encode(Array(plain.utf8)) == encoded)
            #expect(base64Decode(encoded) == Array(plain.utf8), "\(encoded)")
        }
        let all = (0...255).map { UInt8($0) }
        #expect(base64Decode(base64Encode(all)) == all)
    }

    @Test(
        "base64 that is not the standard padded form is refused",
        arguments: [
            "Zg=", "Z===", "Zm9v\n", "Zm=v", "Zm9-", "Zm9_", " Zm9v", "Zm9vYg=", "====", "Zg==Zg==",
        ])
    func badBase64(_ text: String) {
        #expect(base64Decode(text) == nil)
    }

    @Test("a key is the base64 of exactly 16 bytes")
    func keys() {
        #expect(WebSocketHandshake.isValidKey("dGhlIHNhbXBsZSBub25jZQ=="))
        #expect(WebSocketHandshake.isValidKey(base64Encode(Array(repeating: 0xff, count: 16))))
        #expect(!WebSocketHandshake.isValidKey(base64Encode(Array(repeating: 1, count: 15))))
        #expect(!WebSocketHandshake.isValidKey(base64Encode(Array(repeating: 1, count: 17))))
        #expect(!WebSocketHandshake.isValidKey("not a key"))
        #expect(!WebSocketHandshake.isValidKey(""))
    }

    @Test("UTF-8: valid text, every kind of invalid sequence, and pieces cut anywhere")
    func utf8() {
        func check(_ bytes: [UInt8]) -> Bool {
            var v = UTF8Validator()
            return v.feed(bytes) && v.isComplete
        }
        #expect(check(Array("κόσμε, hello, 𝄞, \u{10FFFF}".utf8)))
        #expect(check([]))
        let invalid: [[UInt8]] = [
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xF0, 0x80, 0x80, 0x80],  // overlong
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // surrogates
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF],  // above U+10FFFF, never valid
            [0x80], [0xE2, 0x28, 0xA1],  // a lone continuation, a broken sequence
        ]
        for bytes in invalid { #expect(!check(bytes), "\(bytes)") }
        // A character cut short is not yet wrong, only incomplete.
        var cut = UTF8Validator()
        let firstTwo = cut.feed([0xE2, 0x82])
        #expect(firstTwo && !cut.isComplete)
        let last = cut.feed([0xAC])
        #expect(last && cut.isComplete)
        // Fails on the first byte that can never be valid, and stays failed.
        var early = UTF8Validator()
        let bad = early.feed([0x61, 0xF8])
        let after = early.feed([0x61])
        #expect(!bad && !after && !early.isComplete)
        // The same verdict as the standard library's, for random bytes fed in random pieces.
        var rng = SplitMix(seed: 13)
        for _ in 0..<2000 {
            let length = Int(rng.next() % 12)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next() % 3 == 0 ? rng.next() : 0x80 | rng.next() % 0x40) }
            var v = UTF8Validator()
            var rest = bytes[...]
            var ok = true
            while !rest.isEmpty {
                let piece = rest.prefix(Int(rng.next() % 4) + 1)
                rest = rest.dropFirst(piece.count)
                ok = v.feed(piece) && ok
            }
            #expect((ok && v.isComplete) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    @Test("a request head: request line, fields in order, names in any case, tokens")
    func parseHead() throws {
        let text = "GET /chat HTTP/1.1\r\nHost: x\r\nupgrade:  WebSocket \r\nConnection: keep-alive, Upgrade\r\nX-A: 1\r\nx-a: 2"
        let head = try HTTPRequestHead.parse(Array(text.utf8)[...])
        #expect(head.method == "GET" && head.target == "/chat" && head.version == "HTTP/1.1")
        #expect(head.header("UPGRADE") == "WebSocket")
        #expect(head.tokens("connection") == ["keep-alive", "upgrade"])
        #expect(head.header("x-a") == "1, 2")
        #expect(head.header("missing") == nil)
        #expect(head.fields.count == 5)
        for bad in [
            "GET /chat", "GET  /chat HTTP/1.1", "GET /chat HTTP/1.1\r\nno colon", "GET / HTTP/1.1\r\nBad Name: x",
            "GET / HTTP/1.1\r\nA: b\u{1}c", "GET / FTP/1",
        ] {
            #expect(throws: HTTPHeadError.self, "\(bad)") { try HTTPRequestHead.parse(Array(bad.utf8)[...]) }
        }
    }

    @Test("reading a head: split across writes, the bytes after it kept; over the cap; cut short")
    func readHead() async throws {
        try await withPair { client, server in
            let request = "GET /chat HTTP/1.1\r\nHost: x\r\n\r\n"
            for piece in [String(request.prefix(10)), String(request.dropFirst(10).prefix(19)), String(request.dropFirst(29)) + "\u{81}\u{80}"] {
                try await client.write(piece)
                try await Task.sleep(for: .milliseconds(20))
            }
            let (head, rest) = try await HTTPRequestHead.read(from: server, maxBytes: 8192)
            #expect(head.target == "/chat" && head.header("host") == "x")
            #expect(rest == Array("\u{81}\u{80}".utf8))
        }
        try await withPair { client, server in
            try await client.write("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 9000))
            await #expect(throws: HTTPHeadError.tooLarge(limit: 8192)) { try await HTTPRequestHead.read(from: server, maxBytes: 8192) }
        }
        try await withPair { client, server in
            // Exactly at the cap is allowed: the cap counts the blank line too.
            let head = "GET / HTTP/1.1\r\nX: "
            let full = head + String(repeating: "a", count: 100 - head.utf8.count - 4) + "\r\n\r\n"
            #expect(full.utf8.count == 100)
            try await client.write(full)
            let (parsed, _) = try await HTTPRequestHead.read(from: server, maxBytes: 100)
            #expect(parsed.header("x")?.count == 100 - head.utf8.count - 4)
        }
        try await withPair { client, server in
            try await client.write("GET / HTTP/1.1\r\n")
            try client.closeWrite()
            await #expect(throws: HTTPHeadError.endOfStream(received: 16)) { try await HTTPRequestHead.read(from: server, maxBytes: 8192) }
        }
    }

    /// A connected pair over loopback, closed afterwards; every read bounded by a deadline.
    func withPair(_ body: (TCPConn, TCPConn) async throws -> Void) async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        defer { try? listener.close() }
        async let accepted = listener.accept()
        let client = try await TCPConn.dial(listener.address.description, timeout: .seconds(5))
        let server = try await accepted
        defer {
            try? client.close()
            try? server.close()
        }
        try server.setReadDeadline(.after(.seconds(10)))
        try await body(client, server)
    }
}

/// A small seeded generator (SplitMix64), so the random cases are the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
