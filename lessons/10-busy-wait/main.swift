// Lesson 10 — Non-blocking sockets and busy waiting. Read it with `netlab lesson 10`; check with
// `netlab check 10`.
// Top-level code below `LessonProgram.runBlocking { … }` never runs (it never returns): put
// constants inside the closure or in a type (`enum Limits { static let … }`); functions and types
// are fine.
//
// This is the article's busy-wait server, nearly line for line: every socket is non-blocking and
// nothing ever waits, but it serves ONE client at a time, from accept until that client leaves,
// and it finds the end of a frame by searching for the footer.
import LessonKit
import Syscall

LessonProgram.runBlocking { options, log in
    let address = try Sockaddr(options.listen)
    let listener = try socket(address.domain, [.stream, .nonblock, .cloexec])
    try setsockoptInt(listener, .reuseAddr, 1)
    try bind(listener, address)
    try listen(listener, 1024)
    try log.ready(getsockname(listener))

    var store: [String: String] = [:]
    while true {
        let fd: FD
        let peer: Sockaddr
        do {
            (fd, peer) = try accept4(listener, [.nonblock, .cloexec])
        } catch SyscallError.wouldBlock {
            continue  // nobody is waiting to connect: try again
        }
        log.accepted(peer)
        // TODO: this serves one client until it leaves, and every other client waits. Keep a list
        // of clients instead, each with its own buffers, and give each one a turn of the loop.
        serveUntilItLeaves(fd, peer: peer, store: &store, log: log)
    }
}

/// Serves one client until it closes its side or fails.
func serveUntilItLeaves(_ fd: FD, peer: Sockaddr, store: inout [String: String], log: Log) {
    var pending: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1024)
    while true {
        do {
            let n = try read(fd, &chunk)
            if n == 0 { break }
            pending += chunk[..<n]
            // TODO: a frame ends where its length says, not at the first footer: a value may
            // hold the bytes 0d 0a 0d 0a. Read the 4-byte length, wait for that many bytes, then
            // check that the last 4 are the footer.
            while let footer = firstFooter(in: pending) {
                let frame = Array(pending[..<(footer + 4)])
                pending.removeFirst(footer + 4)
                let request = try KeyValueMessage(decoding: frame.dropFirst(4).dropLast(4))
                var reply = try KeyValueFrame.encode(answer(request, store: &store))
                while !reply.isEmpty {
                    do {
                        reply.removeFirst(try write(fd, reply))
                    } catch SyscallError.wouldBlock {
                        continue  // no room yet: try again
                    }
                }
            }
        } catch SyscallError.wouldBlock {
            continue  // nothing to read yet: try again
        } catch {
            log.closed(peer, error: error)
            try? close(fd)
            return
        }
    }
    log.closed(peer)
    try? close(fd)
}

/// Where the first footer `0d 0a 0d 0a` starts in `bytes`, if it holds one.
func firstFooter(in bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    return (0...(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual(KeyValueFrame.footer) }
}

/// The key-value store's answer to one request (docs/kv-protocol.md).
func answer(_ request: KeyValueMessage, store: inout [String: String]) -> KeyValueMessage {
    switch request.kind {
    case .put:
        store[request.key] = request.value
        return KeyValueMessage(key: request.key, kind: .put)
    case .get:
        if let value = store[request.key] {
            return KeyValueMessage(key: request.key, value: value, kind: .get)
        }
        return KeyValueMessage(key: request.key, kind: .get, status: .notOK)
    default:
        return KeyValueMessage(key: request.key, kind: request.kind, status: .notOK)
    }
}
