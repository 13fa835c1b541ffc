// Frames into messages: a text or binary frame starts a message, continuation frames add to
// it, the frame with FIN ends it. Control frames (ping, pong, close) may come between the
// fragments and are answered at once. Go: gorilla's `ReadMessage`, which does all of this.
import LessonKit
import NetCore

/// Reads the client's frames until the connection ends, and hands every whole message to the
/// hub. Always leaves `client.ending` set.
func readMessages(from client: Client, hub: Hub, settings: Settings, log: Log) async {
    var message: [UInt8] = []
    var kind: Opcode?  // text or binary while a message is in progress
    var utf8 = UTF8Validator()
    do {
        while true {
            let frame = try await readFrame(from: client.conn, dataLimit: settings.readLimit - message.count)
            client.heard()
            switch frame.opcode {
            case .ping:
                client.sendControl(encodeFrame(.pong, frame.payload))
                continue
            case .pong:
                continue
            case .close:
                client.end(.closedByClient(echo: try closeReply(to: frame.payload)))
                return
            case .text, .binary:
                guard kind == nil else { throw CloseError.protocolError("a new message began inside a fragmented one") }
                kind = frame.opcode
                message = frame.payload
                utf8 = UTF8Validator()
            case .continuation:
                guard kind != nil else { throw CloseError.protocolError("continuation frame with no message") }
                message += frame.payload
            }
            // Text: fail as soon as the bytes can never become UTF-8, even mid-message.
            if kind == .text, !utf8.feed(frame.payload) { throw CloseError(code: 1007, description: "text is not UTF-8") }
            guard frame.fin, let done = kind else { continue }
            if done == .text, !utf8.isComplete { throw CloseError(code: 1007, description: "text is not UTF-8") }
            hub.broadcast(encodeFrame(done, message))
            message = []
            kind = nil
        }
    } catch let error as CloseError {
        log.error("\(client.peer): \(error)")
        client.end(.closeWith(error.code, String(describing: error)))
    } catch {
        guard client.ending == nil else { return }  // someone else ended it (and woke this read)
        if let error = error as? NetError, error.isTimeout, client.pingOutstanding {
            log.event("timeout \(client.peer): no pong")
            client.end(.noPong)
        } else if let error = error as? NetError, error.code == .unexpectedEOF {
            client.end(.failed("the connection ended without a close frame"))
        } else {
            client.end(.failed(Log.reason(error)))
        }
    }
}

/// The payload of our answer to the client's close frame: its code (no reason), or nothing
/// when it sent none. Throws for a close frame that is itself an error.
func closeReply(to payload: [UInt8]) throws -> [UInt8] {
    if payload.isEmpty { return [] }
    guard payload.count >= 2 else { throw CloseError.protocolError("close frame with a 1-byte payload") }
    let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
    guard isValidCloseCode(code) else { throw CloseError.protocolError("invalid close code \(code)") }
    var reason = UTF8Validator()
    guard reason.feed(payload.dropFirst(2)), reason.isComplete else {
        throw CloseError(code: 1007, description: "close reason is not UTF-8")
    }
    return Array(payload.prefix(2))
}

/// The codes a close frame may carry (RFC 6455 §7.4 and the IANA registry): 1004, 1005, 1006
/// and 1015 are never sent, 1016–2999 are unassigned, under 1000 and over 4999 unused.
func isValidCloseCode(_ code: UInt16) -> Bool {
    switch code {
    case 1000...1003, 1007...1011, 3000...4999: true
    default: false
    }
}
