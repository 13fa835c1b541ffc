// Lesson 9 — Blocking I/O: one thread, then a thread per connection. Read it with
// `netlab lesson 9`; check with `netlab check 9`.
// Top-level code below `LessonProgram.runBlocking { … }` never runs (it never returns): put
// constants inside the closure or in a type (`enum Limits { static let … }`).
import Foundation  // Thread
import LessonKit
import Synchronization
import Syscall

// The article's first server: one thread, blocking I/O. It works, one client at a time.
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
        // TODO: handle blocks in read(2) until this client closes, and nobody else is accepted
        // meanwhile: one silent client stalls the server. Run it on a thread of its own
        // (Thread.detachNewThread { … }), so that this loop goes straight back to accept.
        handle(conn, peer: peer, store: store, log: log)
    }
}

/// Serves one connection on the calling thread, blocking in read(2) between frames: a reply for
/// every request frame, until the client closes its side. Closes `conn` on every way out.
func handle(_ conn: FD, peer: Sockaddr, store: Store, log: Log) {
    defer { try? close(conn) }
    log.accepted(peer)
    do {
        while let request = try readFrame(from: conn) {
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

/// Why the bytes on a connection are not a frame: a protocol error.
struct FrameError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads exactly `count` bytes, calling read(2) as often as it takes (Go: `io.ReadFull`); nil
/// when the stream ends before the first byte.
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

/// Reads one frame (lesson 8, over a descriptor) and decodes its body; nil when the client
/// closed its side between frames.
func readFrame(from fd: FD) throws -> KeyValueMessage? {
    guard let header = try readFull(fd, count: KeyValueFrame.headerSize) else { return nil }
    let length = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16 | Int(header[3]) << 24
    guard length >= KeyValueFrame.footer.count, length <= KeyValueFrame.maxLength else {
        throw FrameError("frame length \(length) is outside 4...\(KeyValueFrame.maxLength)")
    }
    guard let rest = try readFull(fd, count: length) else {
        throw FrameError("the connection ended after a frame's length")
    }
    guard rest.suffix(KeyValueFrame.footer.count).elementsEqual(KeyValueFrame.footer) else {
        throw FrameError("the frame does not end with the footer 0d 0a 0d 0a")
    }
    return try KeyValueMessage(decoding: rest.dropLast(KeyValueFrame.footer.count))
}

/// Writes `message` as one frame, calling write(2) until all of it has gone.
func writeFrame(_ message: KeyValueMessage, to fd: FD) throws {
    let frame = try KeyValueFrame.encode(message)
    var sent = 0
    while sent < frame.count { sent += try write(fd, frame[sent...]) }
}

/// The key-value store every connection's thread shares, behind a lock (Go: a map and a
/// `sync.Mutex`).
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
