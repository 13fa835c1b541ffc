// The solution, shared by the mistakes: each one replaces one piece of it (how a frame is
// read, how a request is applied, where the store lives, or where a connection is served).
import LessonKit
import NetCore
import Synchronization

/// Listens, then runs `connection` in a task of its own for every client, all sharing one store.
func serveKeyValue(
    _ connection: @escaping @Sendable (TCPConn, Store, Log) async -> Void = { conn, store, log in
        await handle(conn, log: log, apply: store.apply)
    }
) -> Never {
    LessonProgram.run { options, log in
        let store = Store()
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        try await serve(listener) { conn in await connection(conn, store, log) }
    }
}

/// The solution's connection loop, with the frame reader and the store's `apply` passed in.
func handle(
    _ conn: TCPConn, log: Log,
    read: (TCPConn) async throws -> KeyValueMessage? = { try await readFrame(from: $0) },
    apply: (KeyValueMessage) -> KeyValueMessage
) async {
    let peer = conn.remoteAddress
    log.accepted(peer)
    do {
        while let request = try await read(conn) {
            try await conn.write(KeyValueFrame.encode(apply(request)))
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

/// Why the bytes on a connection are not a frame.
struct FrameError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The solution's reader: exactly 4 bytes of length, a cap, exactly `length` bytes, the footer.
func readFrame(from conn: some Conn) async throws -> KeyValueMessage? {
    let header: [UInt8]
    do {
        header = try await conn.readExactly(KeyValueFrame.headerSize)
    } catch let error as NetError where error.code == .unexpectedEOF {
        if error.bytesTransferred == 0 { return nil }
        throw FrameError("the connection ended within a frame's length")
    }
    let length = littleEndianLength(header)
    guard length >= KeyValueFrame.footer.count, length <= KeyValueFrame.maxLength else {
        throw FrameError("frame length \(length) is outside 4...\(KeyValueFrame.maxLength)")
    }
    return try await readBody(from: conn, length: length)
}

/// Reads exactly `length` bytes, checks the footer and decodes the body before it.
func readBody(from conn: some Conn, length: Int) async throws -> KeyValueMessage {
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

/// The 4 length bytes, little-endian (fewer bytes make a smaller number, as a careless reader's do).
func littleEndianLength(_ header: [UInt8]) -> Int {
    var length = 0
    for (i, byte) in header.prefix(4).enumerated() { length |= Int(byte) << (8 * i) }
    return length
}

/// The solution's store: one dictionary behind a lock.
final class Store: Sendable {
    private let entries = Mutex<[String: String]>([:])

    func apply(_ request: KeyValueMessage) -> KeyValueMessage {
        switch request.kind {
        case .put:
            entries.withLock { $0[request.key] = request.value }
            return KeyValueMessage(key: request.key, kind: .put)
        case .get:
            guard let value = lookUp(request.key) else {
                return KeyValueMessage(key: request.key, kind: .get, status: .notOK)
            }
            return KeyValueMessage(key: request.key, value: value, kind: .get)
        default:
            return KeyValueMessage(key: request.key, kind: request.kind, status: .notOK)
        }
    }

    /// The value stored under `key`, if any.
    func lookUp(_ key: String) -> String? { entries.withLock { $0[key] } }
}
