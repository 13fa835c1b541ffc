// The solution's main.swift without its entry (Serve.swift has it): frames, messages, the queue.
import LessonKit
import NetCore

// MARK: The handshake's answer

/// The `Sec-WebSocket-Accept` value for the client's `Sec-WebSocket-Key` (Upgrade.swift sends
/// it in the 101): proof that this server read the key and speaks WebSocket.
func acceptValue(forKey key: String) -> String {
    WebSocketHandshake.accept(forKey: key)  // base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
}

// MARK: One frame in, one frame out (RFC 6455 §5.2)
//
//   byte 0: FIN (1 bit) · RSV1-3 (3 bits, 0 without extensions) · opcode (4 bits)
//   byte 1: MASK (1 bit, set on every client frame) · length (7 bits: 0-125, or 126, or 127)
//   then:   16-bit length when 126, 64-bit length when 127 (big-endian; the top bit 0)
//   then:   4 masking-key bytes (client frames only), then the payload, each byte XORed with
//           key[i % 4]

/// Reads one frame. `dataLimit` is how many payload bytes a text, binary or continuation frame may
/// still carry before its message passes the read limit: a bigger one is refused (1009) from
/// its length alone, before its payload is read. Go: what gorilla's `NextReader` does per frame.
func readFrame(from conn: some Conn, dataLimit: Int) async throws -> Frame {
    let head = try await conn.readExactly(2)
    let fin = head[0] & 0x80 != 0
    guard head[0] & 0x70 == 0 else { throw CloseError.protocolError("reserved bits set") }
    guard let opcode = Opcode(rawValue: head[0] & 0x0F) else {
        throw CloseError.protocolError("unknown opcode \(head[0] & 0x0F)")
    }
    guard head[1] & 0x80 != 0 else { throw CloseError.protocolError("unmasked frame") }
    var length = UInt64(head[1] & 0x7F)
    if length == 126 {
        length = bigEndian(try await conn.readExactly(2))
    } else if length == 127 {
        length = bigEndian(try await conn.readExactly(8))
        guard length >> 63 == 0 else { throw CloseError.protocolError("64-bit length with the top bit set") }
    }
    if opcode.isControl {
        guard fin else { throw CloseError.protocolError("fragmented control frame") }
        guard length <= 125 else { throw CloseError.protocolError("control frame of \(length) bytes (over 125)") }
    } else if length > UInt64(max(dataLimit, 0)) {
        throw CloseError(code: 1009, description: "message over the read limit")
    }
    let mask = try await conn.readExactly(4)
    var payload = length == 0 ? [] : try await conn.readExactly(Int(length))
    for i in payload.indices { payload[i] ^= mask[i & 3] }
    return Frame(fin: fin, opcode: opcode, payload: payload)
}

/// The bytes as one big-endian number.
func bigEndian(_ bytes: [UInt8]) -> UInt64 {
    bytes.reduce(0) { $0 << 8 | UInt64($1) }
}

/// One unfragmented, unmasked frame (servers never mask), with the shortest length form.
func encodeFrame(_ opcode: Opcode, _ payload: [UInt8]) -> [UInt8] {
    var frame: [UInt8] = [0x80 | opcode.rawValue]
    frame.reserveCapacity(payload.count + 10)
    switch payload.count {
    case 0...125:
        frame.append(UInt8(payload.count))
    case 126...0xFFFF:
        frame.append(126)
        frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    default:
        frame.append(127)
        frame += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(payload.count) >> (8 * $0)) }
    }
    return frame + payload
}

// MARK: Frames into messages

/// Reads the client's frames until the connection ends, and hands every whole message to the
/// hub. Always leaves `client.ending` set.
func readMessages(from client: Client, hub: Hub, settings: Settings, log: Log, variant: Variant) async {
    var message: [UInt8] = []
    var kind: Opcode?  // text or binary while a message is in progress
    var utf8 = UTF8Validator()
    do {
        while true {
            let frame = try await variant.frameReader(client.conn, settings.readLimit - message.count)
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
            await variant.broadcast(hub, encodeFrame(done, message))
            message = []
            kind = nil
        }
    } catch let error as CloseError {
        log.error("\(client.peer): \(error)")
        client.end(.closeWith(error.code, String(describing: error)))
    } catch {
        endAfterReadError(client, error, log: log)
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

// MARK: The bounded send queue

/// A client's send queue: whole frames, in order, at most `capacity` of them waiting. Go's seed
/// uses `make(chan []byte, n)`; here LessonKit's `BoundedQueue`, which refuses a frame when full.
final class SendQueue: Sendable {
    private let frames: BoundedQueue<[UInt8]>

    init(capacity: Int) {
        frames = BoundedQueue(capacity: capacity)
    }

    /// Adds a frame without waiting; false when the queue is full (the frame is not added).
    /// Go: `select { case c.send <- msg: default: /* full */ }`.
    func offer(_ frame: [UInt8]) -> Bool {
        frames.offer(frame) != .full
    }

    /// Calls `write` with each frame as it comes, in order, until the queue is finished and
    /// every frame still waiting has been taken, or `write` returns false. Go: `for msg := range
    /// c.send`.
    func receive(_ write: ([UInt8]) async -> Bool) async { await frames.receive(write) }

    /// Ends the queue: the writer gets the frames still waiting, then its loop ends.
    func finish() { frames.finish() }
}
