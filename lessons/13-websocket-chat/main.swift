// Lesson 13 — A WebSocket chat. Read it with `netlab lesson 13`; check with `netlab check 13`.
//
// This file is the lesson: the handshake's answer, frames in and out, frames into messages,
// and the bounded send queue. Given beside it, ready to use and to read: Upgrade.swift (the
// HTTP handshake), Connection.swift (a connection's tasks and settings), Client.swift (a
// client's writer and how it ends), Hub.swift (the broadcast), Protocol.swift (opcodes, frames,
// close codes).
//
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type; functions and types are fine.
import LessonKit
import NetCore

LessonProgram.run(flags: Settings.flags) { options, log in
    let settings = Settings(options)
    let hub = Hub(log: log)
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    try await serve(listener) { conn in
        await handle(conn, hub: hub, settings: settings, log: log)
    }
}

// MARK: The handshake's answer

/// The `Sec-WebSocket-Accept` value for the client's `Sec-WebSocket-Key` (Upgrade.swift sends
/// it in the 101): proof that this server read the key and speaks WebSocket.
func acceptValue(forKey key: String) -> String {
    // TODO: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")). LessonKit has it:
    // WebSocketHandshake.accept(forKey:). A client refuses a 101 with any other value.
    ""
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
    // TODO: read the 2 header bytes (conn.readExactly). Protocol errors, each a
    // `throw CloseError.protocolError("…")`: an RSV bit set, an opcode that `Opcode(rawValue:)`
    // does not know, MASK not set. The length: 0-125 as is; 126: the next 2 bytes; 127: the
    // next 8 (refuse the top bit set). A control frame (opcode.isControl) must have FIN and at
    // most 125 bytes; a data frame over `dataLimit` is `CloseError(code: 1009, …)`, thrown
    // before the payload is read. Then the 4 mask bytes, then the payload, unmasked.
    throw CloseError.protocolError("readFrame is not written yet")
}

/// One unfragmented, unmasked frame (servers never mask), with the shortest length form.
func encodeFrame(_ opcode: Opcode, _ payload: [UInt8]) -> [UInt8] {
    // TODO: 0x80 | opcode.rawValue (FIN set), then the length: one byte up to 125; 126 and 2
    // big-endian bytes up to 65535; 127 and 8 big-endian bytes above. Then the payload.
    []
}

// MARK: Frames into messages

/// Reads the client's frames until the connection ends, and hands every whole message to the
/// hub. Always leaves `client.ending` set.
func readMessages(from client: Client, hub: Hub, settings: Settings, log: Log) async {
    // TODO: keep the message in progress here: its bytes, its kind (.text or .binary, nil when
    // none is in progress), and a UTF8Validator for text.
    do {
        while true {
            // TODO: the limit left is settings.readLimit minus the bytes of the message so far.
            let frame = try await readFrame(from: client.conn, dataLimit: settings.readLimit)
            client.heard()
            switch frame.opcode {
            case .ping:
                // TODO: answer at once, even between fragments: a pong with the same payload,
                // client.sendControl(encodeFrame(.pong, …)).
                continue
            case .pong:
                continue
            case .close:
                client.end(.closedByClient(echo: try closeReply(to: frame.payload)))
                return
            case .text, .binary, .continuation:
                // TODO: text or binary starts a message (a protocol error while one is in
                // progress); continuation adds to it (a protocol error when none is). Feed text
                // to the UTF8Validator and throw CloseError(code: 1007, …) as soon as it fails.
                // On FIN: text must be `isComplete`; then await hub.broadcast(encodeFrame(kind, message))
                // and start over.
                throw CloseError.protocolError("messages are not written yet")
            }
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
    // TODO: empty: answer empty. 1 byte: a protocol error. Else the first 2 bytes are the code,
    // big-endian: refuse one that isValidCloseCode (Protocol.swift) says no to (1002), and a
    // reason (the rest) that is not UTF-8 (1007). Answer with the 2 code bytes.
    []
}

// MARK: The bounded send queue

/// A client's send queue: whole frames, in order, at most `capacity` of them waiting. Go's seed
/// uses `make(chan []byte, n)`; here LessonKit's `BoundedQueue`, which refuses a frame when full.
final class SendQueue: Sendable {
    private let frames: BoundedQueue<[UInt8]>

    init(capacity: Int) {
        // TODO: bound it: BoundedQueue(capacity: capacity). Unbounded (.max), a client that
        // stops reading makes the server hold every message for it, for ever.
        frames = BoundedQueue(capacity: .max)
    }

    /// Adds a frame without waiting; false when the queue is full (the frame is not added).
    /// Go: `select { case c.send <- msg: default: /* full */ }`.
    func offer(_ frame: [UInt8]) -> Bool {
        // TODO: `frames.offer(frame)` says what happened: `.full` means the queue was full.
        _ = frames.offer(frame)
        return true
    }

    /// Calls `write` with each frame as it comes, in order, until the queue is finished and
    /// every frame still waiting has been taken, or `write` returns false. Go: `for msg := range
    /// c.send`.
    func receive(_ write: ([UInt8]) async -> Bool) async { await frames.receive(write) }

    /// Ends the queue: the writer gets the frames still waiting, then its loop ends.
    func finish() { frames.finish() }
}
