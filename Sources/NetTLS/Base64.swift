import COpenSSL

// Base64 through the system's OpenSSL, for protocols that use it as an encoding (RFC 6455's
// Sec-WebSocket-Accept): never written by hand. LessonKit's WebSocketHandshake and the checker's
// WebSocket client both use these.

/// Standard base64 with padding (RFC 4648), by OpenSSL's `EVP_EncodeBlock`. Like Go's
/// `base64.StdEncoding.EncodeToString`.
public func base64Encode(_ bytes: [UInt8]) -> String {
    precondition(bytes.count <= 1 << 20, "base64Encode: more than 1 MiB")
    var out = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
    let written = bytes.withUnsafeBufferPointer { input in
        EVP_EncodeBlock(&out, input.baseAddress, Int32(input.count))
    }
    return String(decoding: out.prefix(Int(written)), as: UTF8.self)
}

/// The bytes of standard, padded base64 text, or nil when `text` is not that (a length that
/// is not a multiple of 4, a character outside the alphabet, padding in the middle, spaces).
/// OpenSSL's `EVP_DecodeBlock` does the decoding; the checks it leaves out are made here. Like
/// Go's `base64.StdEncoding.DecodeString`.
public func base64Decode(_ text: String) -> [UInt8]? {
    let input = Array(text.utf8)
    guard input.count % 4 == 0, input.count <= 1 << 20 else { return nil }
    let padding = input.reversed().prefix { $0 == UInt8(ascii: "=") }.count
    guard padding <= 2 else { return nil }
    let isAlphabet: (UInt8) -> Bool = { byte in
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            true
        default: false
        }
    }
    guard input.dropLast(padding).allSatisfy(isAlphabet) else { return nil }
    if input.isEmpty { return [] }
    var out = [UInt8](repeating: 0, count: input.count / 4 * 3)
    let written = input.withUnsafeBufferPointer { buffer in
        EVP_DecodeBlock(&out, buffer.baseAddress, Int32(buffer.count))
    }
    // EVP_DecodeBlock counts the zero bytes that padding stands for; take them off.
    guard written == Int32(out.count) else { return nil }
    return Array(out.prefix(out.count - padding))
}
