// Lesson 11 — An event loop by hand: the reference solution.
//
// One thread, non-blocking sockets, and epoll to say which of them are ready, so that the thread
// sleeps in epollWait while nobody talks. Level-triggered: a socket with bytes left unread is
// reported again on the next wait, so a conn may take one read per wake-up (fair to the others)
// and stop reading altogether while its replies pile up, without losing anything.
import LessonKit
import Syscall

LessonProgram.runBlocking { options, log in
    let address = try Sockaddr(options.listen)
    let listener = try socket(address.domain, [.stream, .nonblock, .cloexec])
    try setsockoptInt(listener, .reuseAddr, 1)
    try bind(listener, address)
    try listen(listener, 4096)
    try log.ready(getsockname(listener))

    let epfd = try epollCreate1()
    try epollCtl(epfd, .add, listener, .in)
    var conns: [FD: Conn] = [:]
    var store: [String: String] = [:]
    var events = [EpollEvent](repeating: EpollEvent(), count: 256)
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let ready: Int
        do {
            ready = try epollWait(epfd, &events, -1)  // sleeps until some socket is ready
        } catch SyscallError.interrupted {
            continue
        }
        for event in events[..<ready] {
            if event.fd == listener {
                acceptAll(listener, epfd: epfd, into: &conns, log: log)
            } else if let conn = conns[event.fd] {
                conn.handle(event.events, epfd: epfd, chunk: &chunk, store: &store, log: log)
                if conn.isClosed { conns[event.fd] = nil }
            }
        }
    }
}

/// Accepts every connection that is waiting, and watches each one for input.
func acceptAll(_ listener: FD, epfd: FD, into conns: inout [FD: Conn], log: Log) {
    while true {
        do {
            let (fd, peer) = try accept4(listener, [.nonblock, .cloexec])
            try epollCtl(epfd, .add, fd, .in)
            log.accepted(peer)
            conns[fd] = Conn(fd: fd, peer: peer)
        } catch SyscallError.wouldBlock {
            return  // nobody else is waiting
        } catch {
            log.error("accept: \(error)")  // such as too many open files
            return
        }
    }
}

/// One connection: what has arrived of a frame, the replies not written yet, and what the loop
/// is watching it for.
final class Conn {
    let fd: FD
    let peer: Sockaddr
    var input: [UInt8] = []
    var output: [UInt8] = []
    /// What epoll reports for this conn: `.in` while it may read, `.out` while replies wait.
    var interest: EpollEvents = .in
    /// The client has closed its side; answer what has come, write it, then close.
    var peerDone = false
    var isClosed = false

    init(fd: FD, peer: Sockaddr) {
        self.fd = fd
        self.peer = peer
    }

    /// Handles one report of epoll for this conn.
    func handle(_ events: EpollEvents, epfd: FD, chunk: inout [UInt8], store: inout [String: String], log: Log) {
        do {
            if !events.isDisjoint(with: [.in, .hup, .err]), interest.contains(.in) {
                let n = try read(fd, &chunk)  // one read: if more is waiting, the next wait says so
                if n == 0 { peerDone = true } else { input += chunk[..<n] }
            }
            // Answer, write, and again while writing made room for more answers: requests that
            // wait in `input` bring no event of their own.
            var wrote = false
            repeat {
                try answerWholeFrames(store: &store)
                let pending = output.count
                try flush()
                wrote = output.count < pending
            } while wrote && output.count < Limits.maxPendingOutput && !input.isEmpty
            if peerDone && output.isEmpty {
                close(log: log, protocolError: input.isEmpty ? nil : "connection closed in the middle of a frame")
                return
            }
            // Read only while the replies are few; ask for .out only while some wait.
            var wanted: EpollEvents = []
            if !peerDone && output.count < Limits.maxPendingOutput { wanted.insert(.in) }
            if !output.isEmpty { wanted.insert(.out) }
            if wanted != interest {
                try epollCtl(epfd, .modify, fd, wanted)
                interest = wanted
            }
        } catch let error as SyscallError {
            close(log: log, error: error)  // such as connection reset by peer
        } catch {
            close(log: log, protocolError: "\(error)")  // a bad frame or body
        }
    }

    /// Answers the whole frames at the start of `input` while fewer than
    /// `Limits.maxPendingOutput` bytes of replies wait, and keeps the rest for later.
    func answerWholeFrames(store: inout [String: String]) throws {
        var start = 0
        while output.count < Limits.maxPendingOutput, let frame = try nextFrame(input, from: start) {
            let request = try KeyValueMessage(decoding: frame.body)
            output += try KeyValueFrame.encode(answer(request, store: &store))
            start = frame.end
        }
        input.removeFirst(start)
    }

    /// Writes as much of `output` as the socket takes now.
    func flush() throws(SyscallError) {
        var written = 0
        defer { output.removeFirst(written) }
        while written < output.count {
            do {
                written += try write(fd, output[written...])
            } catch SyscallError.wouldBlock {
                return  // the rest waits for .out
            }
        }
    }

    /// Closes the socket, which also takes it out of epoll, and logs why.
    func close(log: Log, error: SyscallError? = nil, protocolError: String? = nil) {
        if let protocolError { log.error("\(peer): \(protocolError)") }
        log.closed(peer, error: error)
        try? Syscall.close(fd)
        isClosed = true
    }
}

enum Limits {
    /// A conn is not read while this many bytes of its replies wait to be written: a client that
    /// sends requests and never reads the replies costs at most this much memory (plus one read
    /// and one partial frame), and TCP's flow control stops it.
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
