import NetTLS

/// The parts of RFC 6455's opening handshake that are cryptography, not networking: the value of
/// `Sec-WebSocket-Accept` and the shape of `Sec-WebSocket-Key`. SHA-1 and base64 come from the
/// system's OpenSSL through NetTLS (`sha1`, `base64Encode`, `base64Decode`), never from code of our
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
}
