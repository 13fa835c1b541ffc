// Lesson 8 — Framing: the solution. A task per connection (NetCore's `serve`), frames read by
// their length, and one store that every connection shares behind a lock.
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
/// Exactly 4 bytes of length, then exactly `length` bytes: however the bytes arrive, one at a
/// time or many frames in one read, each call takes one frame and leaves the rest.
func readFrame(from conn: some Conn) async throws -> KeyValueMessage? {
    let header: [UInt8]
    do {
        header = try await conn.readExactly(KeyValueFrame.headerSize)  // Go: io.ReadFull(conn, header)
    } catch let error as NetError where error.code == .unexpectedEOF {
        if error.bytesTransferred == 0 { return nil }  // EOF between frames: done
        throw FrameError("the connection ended within a frame's length")
    }
    let length = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16 | Int(header[3]) << 24
    // Refuse before allocating or waiting: the length is a stranger's claim.
    guard length >= KeyValueFrame.footer.count, length <= KeyValueFrame.maxLength else {
        throw FrameError("frame length \(length) is outside 4...\(KeyValueFrame.maxLength)")
    }
    let rest: [UInt8]
    do {
        rest = try await conn.readExactly(length)
    } catch let error as NetError where error.code == .unexpectedEOF {
        throw FrameError("the connection ended after \(error.bytesTransferred) of the frame's \(length) bytes")
    }
    guard rest.suffix(KeyValueFrame.footer.count).elementsEqual(KeyValueFrame.footer) else {
        throw FrameError("the frame does not end with the footer 0d 0a 0d 0a")
    }
    return try KeyValueMessage(decoding: rest.dropLast(KeyValueFrame.footer.count))
}

/// Writes `message` as one frame: length, body, footer.
func writeFrame(_ message: KeyValueMessage, to conn: some Conn) async throws {
    try await conn.write(KeyValueFrame.encode(message))
}

/// The key-value store that every connection shares. Connections run at the same time on
/// several threads, so the dictionary lives in a `Mutex` (Go: a map behind a `sync.Mutex`):
/// Swift will not compile a shared `var` that tasks could change at once.
final class Store: Sendable {
    private let entries = Mutex<[String: String]>([:])

    /// Carries out one request and returns its reply.
    func apply(_ request: KeyValueMessage) -> KeyValueMessage {
        switch request.kind {
        case .put:
            entries.withLock { $0[request.key] = request.value }
            return KeyValueMessage(key: request.key, kind: .put)
        case .get:
            guard let value = entries.withLock({ $0[request.key] }) else {
                return KeyValueMessage(key: request.key, kind: .get, status: .notOK)
            }
            return KeyValueMessage(key: request.key, value: value, kind: .get)
        default:
            return KeyValueMessage(key: request.key, kind: request.kind, status: .notOK)
        }
    }
}
