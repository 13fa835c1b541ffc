// The HTTP/1.1 upgrade: GET /chat with the WebSocket headers gets 101 Switching Protocols, and
// anything else an HTTP error and a close. Go: `websocket.Upgrader.Upgrade(w, r, nil)`.
import LessonKit
import NetCore

/// Limits of the request head: the bytes and the time a client gets to send it.
enum HeadLimits {
    static let maxBytes = 8 * 1024
    static let deadline = Duration.seconds(5)
}

/// Reads the request head and answers it. Returns the bytes that came after the head when the
/// 101 went out (the connection is a WebSocket now); nil when it did not (an error response went
/// out, or the client is gone), and then the caller closes.
func upgrade(
    _ conn: TCPConn, log: Log, accept: (String) -> String,
    refuse: (HTTPRequestHead) -> (why: String, response: String)? = { refusal(of: $0) }
) async -> [UInt8]? {
    let peer = conn.remoteAddress
    do {
        try conn.setReadDeadline(.after(HeadLimits.deadline))
        try conn.setWriteDeadline(.after(HeadLimits.deadline))
        let (head, rest) = try await HTTPRequestHead.read(from: conn, maxBytes: HeadLimits.maxBytes)
        if let refusal = refuse(head) {
            log.error("\(peer): \(refusal.why)")
            try await conn.write(refusal.response)
            await lingeringClose(conn)
            return nil
        }
        let key = head.header("Sec-WebSocket-Key") ?? ""
        try await conn.write(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: \(accept(key))\r\n\r\n")
        try conn.setDeadline(nil)
        return rest
    } catch let error as HTTPHeadError {
        log.error("\(peer): \(error)")
        switch error {
        case .tooLarge:
            try? await conn.write(httpError(431, "Request Header Fields Too Large"))
            await lingeringClose(conn)
        case .malformed:
            try? await conn.write(httpError(400, "Bad Request"))
            await lingeringClose(conn)
        case .endOfStream:
            break
        }
        return nil
    } catch {
        log.error("\(peer): \(Log.reason(error))")
        return nil
    }
}

/// Why a well-formed request is no WebSocket handshake for us, with the response it gets; nil
/// when it is one.
func refusal(of head: HTTPRequestHead) -> (why: String, response: String)? {
    guard head.target == "/chat" else { return ("no such path: \(head.target)", httpError(404, "Not Found")) }
    let bad = httpError(400, "Bad Request")
    guard head.method == "GET" else { return ("method \(head.method) is not GET", bad) }
    guard head.tokens("Upgrade").contains("websocket") else { return ("no Upgrade: websocket", bad) }
    guard head.tokens("Connection").contains("upgrade") else { return ("no Connection: upgrade", bad) }
    guard let key = head.header("Sec-WebSocket-Key"), WebSocketHandshake.isValidKey(key) else {
        return ("Sec-WebSocket-Key is not the base64 of 16 bytes", bad)
    }
    guard head.header("Sec-WebSocket-Version") == "13" else {
        return ("Sec-WebSocket-Version is not 13", httpError(426, "Upgrade Required", extra: "Sec-WebSocket-Version: 13\r\n"))
    }
    return nil
}

/// An HTTP error response with a short text body; the connection closes after it.
func httpError(_ status: Int, _ text: String, extra: String = "") -> String {
    let body = "\(status) \(text)\n"
    return "HTTP/1.1 \(status) \(text)\r\n\(extra)Content-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
        + "Connection: close\r\n\r\n\(body)"
}
