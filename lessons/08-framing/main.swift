// Lesson 8 — Framing. Read it with `netlab lesson 8`; check with `netlab check 8`.
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type (`enum Limits { static let … }`); functions and types are fine.
import LessonKit
import NetCore
import Synchronization

LessonProgram.run { options, log in
    let store = Store()
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    try await serve(listener) { conn in
        await handle(conn, store: store, log: log)
    }
}

/// Serves one connection: one reply for every request frame, in order, until the client closes
/// its side. A protocol error ends this connection only, with `error: ADDRESS: REASON`.
func handle(_ conn: TCPConn, store: Store, log: Log) async {
    let peer = conn.remoteAddress
    log.accepted(peer)
    do {
        while let request = try await readFrame(from: conn) {
            try await writeFrame(store.apply(request), to: conn)
        }
        log.closed(peer)
    } catch let error as FrameError {
        log.error("\(peer): \(error)")
    } catch let error as ProtobufError {
        log.error("\(peer): \(error)")
    } catch {
        log.closed(peer, error: error)
    }
}

/// Why the bytes on a connection are not a frame: a protocol error.
struct FrameError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads one frame and decodes its body; nil when the client closed its side between frames.
func readFrame(from conn: some Conn) async throws -> KeyValueMessage? {
    // TODO: read exactly 4 bytes (conn.readExactly): the length, little-endian. End of stream
    // before the first of them is the client saying goodbye: return nil. Refuse a length under
    // 4 or over KeyValueFrame.maxLength (throw FrameError) before you read anything more. Then
    // read exactly `length` bytes, check that the last 4 are KeyValueFrame.footer, and decode
    // the rest with KeyValueMessage(decoding:).
    throw FrameError("readFrame is not written yet")
}

/// Writes `message` as one frame: length, body, footer.
func writeFrame(_ message: KeyValueMessage, to conn: some Conn) async throws {
    // TODO: KeyValueFrame.encode(message) makes the frame's bytes; write them all to conn.
}

/// The key-value store that every connection shares.
final class Store: Sendable {
    // TODO: a dictionary from key to value that many tasks use at once: keep it in a
    // Mutex<[String: String]> (import Synchronization), and touch it only inside withLock.

    /// Carries out one request and returns its reply.
    func apply(_ request: KeyValueMessage) -> KeyValueMessage {
        // TODO: put stores the value (replacing any) and answers {key, kind: .put}; get answers
        // {key, value, kind: .get}, or {key, kind: .get, status: .notOK} for a key never stored;
        // any other kind answers {key, kind, status: .notOK}.
        KeyValueMessage(key: request.key, kind: request.kind, status: .notOK)
    }
}
