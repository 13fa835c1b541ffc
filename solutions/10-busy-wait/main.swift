// Lesson 10 — Non-blocking sockets and busy waiting: the reference solution.
//
// One thread and one loop that never waits: every socket is non-blocking, the listener too, and
// each turn of the loop tries to accept, then tries every client in turn. `.wouldBlock` means
// "nothing yet": on to the next socket. Frames arrive in pieces across turns, so each client keeps
// its own input and output buffers.
import LessonKit
import Syscall

LessonProgram.runBlocking { options, log in
    let address = try Sockaddr(options.listen)
    let listener = try socket(address.domain, [.stream, .nonblock, .cloexec])
    try setsockoptInt(listener, .reuseAddr, 1)
    try bind(listener, address)
    try listen(listener, 1024)
    try log.ready(getsockname(listener))

    var clients: [Client] = []
    var store: [String: String] = [:]
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        // A new client? A non-blocking accept answers at once: a connection, or .wouldBlock.
        do {
            let (fd, peer) = try accept4(listener, [.nonblock, .cloexec])
            log.accepted(peer)
            clients.append(Client(fd: fd, peer: peer))
        } catch SyscallError.wouldBlock {
            // Nobody is waiting to connect: on to the clients.
        } catch {
            log.error("accept: \(error)")  // such as too many open files; try again next turn
        }
        // Try every client once: read what has come, answer every whole frame, write what fits.
        for client in clients {
            client.turn(&chunk, store: &store, log: log)
        }
        clients.removeAll { $0.isClosed }
    }
}

/// One connection and what is still in flight on it: the bytes of a frame that has not all
/// arrived, and the replies the socket has not taken yet.
final class Client {
    let fd: FD
    let peer: Sockaddr
    var input: [UInt8] = []
    var output: [UInt8] = []
    var isClosed = false

    init(fd: FD, peer: Sockaddr) {
        self.fd = fd
        self.peer = peer
    }

    /// One turn of the loop for this client. Never waits.
    func turn(_ chunk: inout [UInt8], store: inout [String: String], log: Log) {
        do {
            try flush()
            // A client that does not read its replies is not read either, until they have gone.
            guard output.count < Limits.maxPendingOutput else { return }
            let n = try read(fd, &chunk)
            if n == 0 {
                if input.isEmpty {
                    close(log: log)
                } else {
                    close(log: log, protocolError: "connection closed in the middle of a frame")
                }
                return
            }
            input += chunk[..<n]
            var start = 0
            while let frame = try nextFrame(input, from: start) {
                let request = try KeyValueMessage(decoding: frame.body)
                output += try KeyValueFrame.encode(answer(request, store: &store))
                start = frame.end
            }
            input.removeFirst(start)
            try flush()
        } catch SyscallError.wouldBlock {
            // Nothing to read yet, or no room to write: try again next turn.
        } catch let error as SyscallError {
            close(log: log, error: error)  // a real error, such as connection reset by peer
        } catch {
            close(log: log, protocolError: "\(error)")  // a bad frame or body
        }
    }

    /// Writes as much of `output` as the socket takes now.
    func flush() throws(SyscallError) {
        while !output.isEmpty {
            let n = try write(fd, output)
            output.removeFirst(n)
        }
    }

    func close(log: Log, error: SyscallError? = nil, protocolError: String? = nil) {
        if let protocolError { log.error("\(peer): \(protocolError)") }
        log.closed(peer, error: error)
        try? Syscall.close(fd)
        isClosed = true
    }
}

enum Limits {
    /// Stop reading from a client while this many bytes of its replies wait to be written.
    static let maxPendingOutput = 1 << 20
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

/// The frame that starts at `start` in `bytes`, read by its length: its body and where it ends, or
/// nil when it has not all arrived yet. A length out of range or a wrong footer is an error.
func nextFrame(_ bytes: [UInt8], from start: Int) throws(FrameError) -> (body: ArraySlice<UInt8>, end: Int)? {
    let header = KeyValueFrame.headerSize
    guard bytes.count - start >= header else { return nil }
    var length = 0
    for i in 0..<header { length |= Int(bytes[start + i]) << (8 * i) }  // little-endian
    guard length >= KeyValueFrame.footer.count, length <= KeyValueFrame.maxLength else {
        throw FrameError(reason: "frame length \(length) is outside 4...\(KeyValueFrame.maxLength)")
    }
    let end = start + header + length
    guard bytes.count >= end else { return nil }
    let footerStart = end - KeyValueFrame.footer.count
    guard bytes[footerStart..<end].elementsEqual(KeyValueFrame.footer) else {
        throw FrameError(reason: "frame does not end with the footer 0d 0a 0d 0a")
    }
    return (bytes[(start + header)..<footerStart], end)
}

/// A frame that breaks the protocol; the connection ends with `error: ADDRESS: REASON`.
struct FrameError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
