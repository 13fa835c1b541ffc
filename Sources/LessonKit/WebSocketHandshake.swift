import COpenSSL

/// The parts of RFC 6455's opening handshake that are cryptography, not networking: the value of
/// `Sec-WebSocket-Accept` and the shape of `Sec-WebSocket-Key`. SHA-1 and base64 come from the
/// system's OpenSSL (`EVP_Digest`, `EVP_EncodeBlock`, `EVP_DecodeBlock`), never from code of our
/// own. Go's gorilla/websocket does the same inside `Upgrader.Upgrade` (`computeAcceptKey`).
///
/// ```swift
/// guard let key = head.header("Sec-WebSocket-Key"), WebSocketHandshake.isValidKey(key) else { … 400 … }
/// let accept = WebSocketHandshake.accept(forKey: key)   // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" for RFC 6455's example
/// ```
public enum WebSocketHandshake {
    /// The GUID RFC 6455 appends to the client's key before hashing it.
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// `base64(SHA-1(key + guid))`: the value the server sends back as `Sec-WebSocket-Accept`.
    /// `key` is taken as sent (surrounding spaces already trimmed by the header parser).
    public static func accept(forKey key: String) -> String {
        base64Encode(sha1(Array((key + guid).utf8)))
    }

    /// Whether `key` is what RFC 6455 asks a client to send: the base64 of exactly 16 bytes
    /// (24 characters, ending with `==`).
    public static func isValidKey(_ key: String) -> Bool {
        guard let bytes = base64Decode(key) else { return false }
        return bytes.count == 16
    }

    /// SHA-1 of `bytes` (20 bytes), by OpenSSL's `EVP_Digest`.
    public static func sha1(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha1(), nil)
        }
        precondition(ok == 1 && length == 20, "OpenSSL's SHA-1 failed")
        return Array(digest.prefix(20))
    }

    /// Standard base64 with padding (RFC 4648), by OpenSSL's `EVP_EncodeBlock`.
    public static func base64Encode(_ bytes: [UInt8]) -> String {
        precondition(bytes.count <= 1 << 20, "base64Encode: more than 1 MiB")
        var out = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let written = bytes.withUnsafeBufferPointer { input in
            EVP_EncodeBlock(&out, input.baseAddress, Int32(input.count))
        }
        return String(decoding: out.prefix(Int(written)), as: UTF8.self)
    }

    /// The bytes of standard, padded base64 text, or nil when `text` is not that (a length that
    /// is not a multiple of 4, a character outside the alphabet, padding in the middle, spaces).
    /// OpenSSL's `EVP_DecodeBlock` does the decoding; the checks it leaves out are made here.
    public static func base64Decode(_ text: String) -> [UInt8]? {
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
}
