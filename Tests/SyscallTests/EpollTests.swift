import Glibc
import Syscall
import Testing

@Suite("Syscall epoll on loopback", .timeLimit(.minutes(1)))
struct EpollTests {
    /// Waits up to `milliseconds` and returns the events reported.
    func wait(_ epfd: FD, _ milliseconds: Int32) throws -> [EpollEvent] {
        var events = [EpollEvent](repeating: EpollEvent(), count: 16)
        let n = try epollWait(epfd, &events, milliseconds)
        return Array(events[..<n])
    }

    @Test("level-triggered: reported on every wait while bytes stay unread; not after they are read")
    func levelTriggered() throws {
        let pair = try Loopback.pair(acceptFlags: .nonblock)
        defer { pair.close() }
        let epfd = try epollCreate1()
        defer { try? close(epfd) }
        try epollCtl(epfd, .add, pair.server, .in)
        #expect(try wait(epfd, 0).isEmpty)
        _ = try write(pair.client, [1, 2, 3])
        let first = try wait(epfd, 2000)
        #expect(first == [EpollEvent(events: .in, fd: pair.server)])
        #expect(try wait(epfd, 0) == first)
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(try read(pair.server, &buffer) == 3)
        #expect(try wait(epfd, 0).isEmpty)
    }

    @Test("edge-triggered: reported once when bytes arrive, again only when more arrive")
    func edgeTriggered() throws {
        let pair = try Loopback.pair(acceptFlags: .nonblock)
        defer { pair.close() }
        let epfd = try epollCreate1()
        defer { try? close(epfd) }
        try epollCtl(epfd, .add, pair.server, [.in, .edgeTriggered])
        _ = try write(pair.client, [1])
        #expect(try wait(epfd, 2000).map(\.fd) == [pair.server])
        #expect(try wait(epfd, 0).isEmpty)  // still unread, but no new edge
        _ = try write(pair.client, [2])
        #expect(try wait(epfd, 2000).map(\.events) == [.in])
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(try read(pair.server, &buffer) == 2)
        #expect(throws: SyscallError.wouldBlock) { try read(pair.server, &buffer) }
    }

    @Test("EPOLLOUT while there is room; .modify changes the interest; .delete stops reports")
    func modifyAndDelete() throws {
        let pair = try Loopback.pair(acceptFlags: .nonblock)
        defer { pair.close() }
        let epfd = try epollCreate1()
        defer { try? close(epfd) }
        try epollCtl(epfd, .add, pair.server, .in)
        #expect(try wait(epfd, 0).isEmpty)
        try epollCtl(epfd, .modify, pair.server, [.in, .out])
        #expect(try wait(epfd, 2000) == [EpollEvent(events: .out, fd: pair.server)])
        try epollCtl(epfd, .delete, pair.server, [])
        _ = try write(pair.client, [1])
        #expect(try wait(epfd, 0).isEmpty)
        #expect(throws: SyscallError.other(ENOENT)) { try epollCtl(epfd, .delete, pair.server, []) }
        try epollCtl(epfd, .add, pair.server, .in)
        #expect(throws: SyscallError.other(EEXIST)) { try epollCtl(epfd, .add, pair.server, .in) }
    }

    @Test("a listener is readable when a connection waits; .oneShot reports once until re-armed")
    func listenerAndOneShot() throws {
        let (listener, address) = try Loopback.listener(flags: .nonblock)
        defer { try? close(listener) }
        let epfd = try epollCreate1()
        defer { try? close(epfd) }
        try epollCtl(epfd, .add, listener, [.in, .oneShot])
        var clients: [FD] = []
        defer { for client in clients { try? close(client) } }
        for _ in 0..<2 {
            let client = try socket(.inet, .stream)
            clients.append(client)
            try connect(client, address)
        }
        #expect(try wait(epfd, 2000) == [EpollEvent(events: .in, fd: listener)])
        #expect(try wait(epfd, 0).isEmpty)  // one shot, though a connection still waits
        let (first, _) = try accept4(listener, .nonblock)
        try close(first)
        try epollCtl(epfd, .modify, listener, [.in, .oneShot])
        #expect(try wait(epfd, 2000).map(\.fd) == [listener])
        let (second, _) = try accept4(listener, .nonblock)
        try close(second)
        #expect(throws: SyscallError.wouldBlock) { try accept4(listener, .nonblock) }
    }

    @Test("the peer's shutdown is EPOLLIN|EPOLLRDHUP; a reset adds EPOLLHUP and EPOLLERR")
    func hangups() throws {
        let pair = try Loopback.pair(acceptFlags: .nonblock)
        defer { try? close(pair.server) }
        let epfd = try epollCreate1()
        defer { try? close(epfd) }
        try epollCtl(epfd, .add, pair.server, [.in, .rdhup])
        try shutdown(pair.client, .write)
        #expect(try wait(epfd, 2000).map(\.events) == [[.in, .rdhup]])
        try Loopback.reset(pair.client)
        let events = try #require(try wait(epfd, 2000).first?.events)
        #expect(events.isSuperset(of: [.in, .rdhup, .hup, .err]), "got \(events)")
    }

    @Test("a timeout returns 0 events after about that long; an empty events array is EINVAL")
    func timeout() throws {
        let epfd = try epollCreate1()
        defer { try? close(epfd) }
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try wait(epfd, 50).isEmpty)
        #expect(clock.now - start >= .milliseconds(45))
        var none: [EpollEvent] = []
        #expect(throws: SyscallError.other(EINVAL)) { try epollWait(epfd, &none, 0) }
    }

    @Test("EpollEvents print as C names")
    func names() {
        #expect(EpollEvents([.in, .rdhup, .edgeTriggered]).description == "EPOLLIN|EPOLLRDHUP|EPOLLET")
        #expect(EpollEvents([]).description == "0")
        #expect(EpollEvents(rawValue: 0x100 | 0x4).description == "EPOLLOUT|0x100")
    }
}
