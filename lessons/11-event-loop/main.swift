// Lesson 11 — An event loop by hand. Read it with `netlab lesson 11`; check with `netlab check 11`.
// Top-level code below `LessonProgram.runBlocking { … }` never runs (it never returns): put
// constants inside the closure or in a type (`enum Limits { static let … }`); functions and types
// are fine.
//
// The loop is here: one thread, non-blocking sockets, epoll watching the listener and every
// connection for input. What happens on a connection is yours to write: today it reads and throws
// the bytes away.
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
    try epollCtl(epfd, .add, listener, .in)  // level-triggered: reported while someone waits
    var conns: [FD: Conn] = [:]
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
                conn.handle(event.events, chunk: &chunk, log: log)
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
            log.error("accept: \(error)")
            return
        }
    }
}

/// One connection.
final class Conn {
    let fd: FD
    let peer: Sockaddr
    var isClosed = false

    init(fd: FD, peer: Sockaddr) {
        self.fd = fd
        self.peer = peer
    }

    /// Handles one report of epoll for this conn.
    func handle(_ events: EpollEvents, chunk: inout [UInt8], log: Log) {
        // TODO: keep what arrives in an input buffer of this conn's own, answer every whole frame
        // (docs/kv-protocol.md), keep the replies in an output buffer, write what the socket takes,
        // and watch for .out only while some are left. Stop reading while too many replies wait.
        do {
            let n = try read(fd, &chunk)
            if n == 0 { close(log: log) }
        } catch SyscallError.wouldBlock {
            // nothing after all
        } catch {
            close(log: log, error: error)
        }
    }

    /// Closes the socket, which also takes it out of epoll, and logs it.
    func close(log: Log, error: SyscallError? = nil) {
        log.closed(peer, error: error)
        try? Syscall.close(fd)
        isClosed = true
    }
}
