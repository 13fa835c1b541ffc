// The solution, shared by the mistakes: each one replaces one piece of it (where a connection
// is served, how its bytes are read, or how it ends).
import Foundation
import LessonKit
import Synchronization
import Syscall

/// Listens, then hands every accepted connection to `start`: by default a thread of its own.
func serveKeyValue(
    _ start: @escaping (FD, Sockaddr, Store, Log) -> Void = { conn, peer, store, log in
        Thread.detachNewThread { handle(conn, peer: peer, store: store, log: log) }
    }
) -> Never {
    LessonProgram.runBlocking { options, log in
        let store = Store()
        let address = try Sockaddr(options.listen)
        let listener = try socket(address.domain, [.stream, .cloexec])
        try setsockoptInt(listener, .reuseAddr, 1)
        try bind(listener, address)
        try listen(listener, 1024)
        try log.ready(getsockname(listener))
        while true {
            let (conn, peer) = try accept4(listener, .cloexec)
            start(conn, peer, store, log)
        }
    }
}

/// The solution's connection loop, with the frame reader passed in; closes `conn` on every way out.
func handle(
    _ conn: FD, peer: Sockaddr, store: Store, log: Log,
    read: (FD) throws -> KeyValueMessage? = { try readFrame(from: $0) }
) {
    defer { try? close(conn) }
    serveFrames(conn, peer: peer, store: store, log: log, read: read)
}

/// Replies to every frame until the client closes its side, and logs how the connection ended.
func serveFrames(_ conn: FD, peer: Sockaddr, store: Store, log: Log, read: (FD) throws -> KeyValueMessage?) {
    log.accepted(peer)
    do {
        while let request = try read(conn) {
            try writeFrame(store.apply(request), to: conn)
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

/// Exactly `count` bytes, or nil at end of stream before the first.
func readFull(_ fd: FD, count: Int) throws -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let n = try buffer.withUnsafeMutableBytes { bytes in
            try read(fd, UnsafeMutableRawBufferPointer(rebasing: bytes[filled...]))
        }
        if n == 0 {
            if filled == 0 { return nil }
            throw FrameError("the connection ended after \(filled) of \(count) bytes")
        }
        filled += n
    }
    return buffer
}

/// The solution's frame reader, over any way of reading exactly `count` bytes.
func readFrame(from fd: FD, readFull: (FD, Int) throws -> [UInt8]? = { try readFull($0, count: $1) }) throws -> KeyValueMessage? {
    guard let header = try readFull(fd, KeyValueFrame.headerSize) else { return nil }
    let length = littleEndianLength(header)
    guard length >= KeyValueFrame.footer.count, length <= KeyValueFrame.maxLength else {
        throw FrameError("frame length \(length) is outside 4...\(KeyValueFrame.maxLength)")
    }
    guard let rest = try readFull(fd, length) else { throw FrameError("the connection ended after a frame's length") }
    return try decodeFrameRest(rest)
}

/// Checks the footer at the end of `rest` (a frame after its length) and decodes the body before it.
func decodeFrameRest(_ rest: [UInt8]) throws -> KeyValueMessage {
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

/// One frame, write(2) until all of it has gone.
func writeFrame(_ message: KeyValueMessage, to fd: FD) throws {
    let frame = try KeyValueFrame.encode(message)
    var sent = 0
    while sent < frame.count { sent += try write(fd, frame[sent...]) }
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
            guard let value = entries.withLock({ $0[request.key] }) else {
                return KeyValueMessage(key: request.key, kind: .get, status: .notOK)
            }
            return KeyValueMessage(key: request.key, value: value, kind: .get)
        default:
            return KeyValueMessage(key: request.key, kind: request.kind, status: .notOK)
        }
    }
}
