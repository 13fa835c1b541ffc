// The solution's event loop and conn, shared by the mistakes: each one changes one part of it,
// by overriding one method of `Conn`.
import LessonKit
import Syscall

/// The solution's loop; `makeConn` makes the conn of each accepted socket.
func serveEventLoop(makeConn: @escaping (FD, Sockaddr, FD) -> Conn = { Conn(fd: $0, peer: $1, epfd: $2) }) -> Never {
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
                ready = try epollWait(epfd, &events, -1)
            } catch SyscallError.interrupted {
                continue
            }
            for event in events[..<ready] {
                if event.fd == listener {
                    repeat {
                        do {
                            let (fd, peer) = try accept4(listener, [.nonblock, .cloexec])
                            let conn = makeConn(fd, peer, epfd)
                            try epollCtl(epfd, .add, fd, conn.interest)
                            log.accepted(peer)
                            conns[fd] = conn
                        } catch SyscallError.wouldBlock {
                            break
                        } catch {
                            log.error("accept: \(error)")
                            break
                        }
                    } while true
                } else if let conn = conns[event.fd] {
                    conn.handle(event.events, chunk: &chunk, store: &store, log: log)
                    if conn.isClosed { conns[event.fd] = nil }
                }
            }
        }
    }
}

/// The solution's conn.
class Conn {
    let fd: FD
    let peer: Sockaddr
    let epfd: FD
    var input: [UInt8] = []
    var output: [UInt8] = []
    var interest: EpollEvents = .in
    var peerDone = false
    var isClosed = false

    init(fd: FD, peer: Sockaddr, epfd: FD) {
        self.fd = fd
        self.peer = peer
        self.epfd = epfd
    }

    /// The largest output a conn keeps before it stops reading.
    var maxPendingOutput: Int { 1 << 20 }

    func handle(_ events: EpollEvents, chunk: inout [UInt8], store: inout [String: String], log: Log) {
        do {
            if !events.isDisjoint(with: [.in, .hup, .err]), interest.contains(.in) {
                let n = try read(fd, &chunk)
                if n == 0 { peerDone = true } else { input += chunk[..<n] }
            }
            try answerAndWrite(store: &store)
            if peerDone && output.isEmpty {
                close(log: log, protocolError: input.isEmpty ? nil : "connection closed in the middle of a frame")
                return
            }
            let wanted = wantedEvents()
            if wanted != interest {
                try epollCtl(epfd, .modify, fd, wanted)
                interest = wanted
            }
        } catch let error as SyscallError {
            close(log: log, error: error)
        } catch {
            close(log: log, protocolError: "\(error)")
        }
    }

    /// Answers, writes, and again while writing made room for more answers.
    func answerAndWrite(store: inout [String: String]) throws {
        var wrote = false
        repeat {
            try answerWholeFrames(store: &store)
            let pending = output.count
            try flush()
            wrote = output.count < pending
        } while wrote && output.count < maxPendingOutput && !input.isEmpty
    }

    func wantedEvents() -> EpollEvents {
        var wanted: EpollEvents = []
        if !peerDone && output.count < maxPendingOutput { wanted.insert(.in) }
        if !output.isEmpty { wanted.insert(.out) }
        return wanted
    }

    func answerWholeFrames(store: inout [String: String]) throws {
        var start = 0
        while output.count < maxPendingOutput, let frame = try nextFrame(input, from: start) {
            let request = try KeyValueMessage(decoding: frame.body)
            output += try KeyValueFrame.encode(answer(request, store: &store))
            start = frame.end
        }
        input.removeFirst(start)
    }

    func flush() throws(SyscallError) {
        var written = 0
        defer { output.removeFirst(written) }
        while written < output.count {
            do {
                written += try write(fd, output[written...])
            } catch .wouldBlock {
                return
            }
        }
    }

    func close(log: Log, error: SyscallError? = nil, protocolError: String? = nil) {
        if let protocolError { log.error("\(peer): \(protocolError)") }
        log.closed(peer, error: error)
        try? Syscall.close(fd)
        isClosed = true
    }
}

func answer(_ request: KeyValueMessage, store: inout [String: String]) -> KeyValueMessage {
    switch request.kind {
    case .put:
        store[request.key] = request.value
        return KeyValueMessage(key: request.key, kind: .put)
    case .get:
        if let value = store[request.key] { return KeyValueMessage(key: request.key, value: value, kind: .get) }
        return KeyValueMessage(key: request.key, kind: .get, status: .notOK)
    default:
        return KeyValueMessage(key: request.key, kind: request.kind, status: .notOK)
    }
}

func nextFrame(_ bytes: [UInt8], from start: Int) throws(FrameError) -> (body: ArraySlice<UInt8>, end: Int)? {
    guard bytes.count - start >= 4 else { return nil }
    var length = 0
    for i in 0..<4 { length |= Int(bytes[start + i]) << (8 * i) }
    guard length >= 4, length <= KeyValueFrame.maxLength else { throw FrameError(reason: "frame length \(length) is out of range") }
    let end = start + 4 + length
    guard bytes.count >= end else { return nil }
    guard bytes[(end - 4)..<end].elementsEqual(KeyValueFrame.footer) else {
        throw FrameError(reason: "frame does not end with the footer 0d 0a 0d 0a")
    }
    return (bytes[(start + 4)..<(end - 4)], end)
}

struct FrameError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
