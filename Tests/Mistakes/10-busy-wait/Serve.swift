// The solution's loop and buffers, shared by the mistakes: each one changes one part of it.
import LessonKit
import Syscall

/// The solution's busy loop: listens on a non-blocking socket, then forever tries to accept
/// (with `acceptFlags` for the new sockets) and gives every client a `turn`, calling
/// `betweenTurns` after each round.
func serveBusyWaiting(
    acceptFlags: SocketType = [.nonblock, .cloexec],
    betweenTurns: () -> Void = {},
    turn: @escaping (Client, inout [UInt8], inout [String: String], Log) -> Void = { $0.turn(&$1, store: &$2, log: $3) }
) -> Never {
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
            do {
                let (fd, peer) = try accept4(listener, acceptFlags)
                log.accepted(peer)
                clients.append(Client(fd: fd, peer: peer))
            } catch SyscallError.wouldBlock {
            } catch {
                log.error("accept: \(error)")
            }
            for client in clients { turn(client, &chunk, &store, log) }
            clients.removeAll { $0.isClosed }
            betweenTurns()
        }
    }
}

/// One connection and what is still in flight on it.
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

    /// The solution's turn: write what is pending, read, answer every whole frame, write.
    func turn(_ chunk: inout [UInt8], store: inout [String: String], log: Log) {
        do {
            try flush()
            guard output.count < 1 << 20 else { return }
            let n = try read(fd, &chunk)
            if n == 0 {
                close(log: log, protocolError: input.isEmpty ? nil : "connection closed in the middle of a frame")
                return
            }
            input += chunk[..<n]
            try answerWholeFrames(store: &store)
            try flush()
        } catch SyscallError.wouldBlock {
        } catch let error as SyscallError {
            close(log: log, error: error)
        } catch {
            close(log: log, protocolError: "\(error)")
        }
    }

    /// Answers every whole frame at the start of `input`, by length, and keeps the rest.
    func answerWholeFrames(store: inout [String: String]) throws {
        var start = 0
        while let frame = try nextFrame(input, from: start) {
            let request = try KeyValueMessage(decoding: frame.body)
            output += try KeyValueFrame.encode(answer(request, store: &store))
            start = frame.end
        }
        input.removeFirst(start)
    }

    func flush() throws(SyscallError) {
        while !output.isEmpty { output.removeFirst(try write(fd, output)) }
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
