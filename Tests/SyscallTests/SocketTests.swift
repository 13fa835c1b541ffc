import Glibc
import Syscall
import Testing

@Suite("Syscall sockets on loopback", .timeLimit(.minutes(1)))
struct SocketTests {
    @Test("socket, bind, listen, connect, accept4, write, read, close: bytes arrive intact, both ways", arguments: [false, true])
    func echo(ipv6: Bool) throws {
        guard !ipv6 || Loopback.hasIPv6 else { return }
        let pair = try Loopback.pair(ipv6: ipv6)
        defer { pair.close() }
        let message = Array("hello, syscall".utf8)
        #expect(try write(pair.client, message) == message.count)
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = try read(pair.server, &buffer)
        #expect(Array(buffer[..<n]) == message)
        // A slice writes from where it starts.
        #expect(try write(pair.server, message[7...]) == message.count - 7)
        let m = try read(pair.client, &buffer)
        #expect(String(decoding: buffer[..<m], as: UTF8.self) == "syscall")
    }

    @Test("getsockname and getpeername agree with accept4's address and the listener's", arguments: [false, true])
    func names(ipv6: Bool) throws {
        guard !ipv6 || Loopback.hasIPv6 else { return }
        let pair = try Loopback.pair(ipv6: ipv6)
        defer { pair.close() }
        #expect(pair.listenAddress.port != 0)
        #expect(pair.listenAddress.description.hasPrefix(ipv6 ? "[::1]:" : "127.0.0.1:"))
        #expect(try getpeername(pair.client) == pair.listenAddress)
        #expect(try getsockname(pair.server) == pair.listenAddress)
        #expect(try getsockname(pair.client) == pair.peer)
        #expect(try getpeername(pair.server) == pair.peer)
    }

    @Test("accept4 with .nonblock gives a non-blocking socket; without it, a blocking one")
    func acceptFlags() throws {
        let blocking = try Loopback.pair()
        defer { blocking.close() }
        #expect(try !isNonblock(blocking.server))
        let nonblocking = try Loopback.pair(acceptFlags: .nonblock)
        defer { nonblocking.close() }
        #expect(try isNonblock(nonblocking.server))
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(throws: SyscallError.wouldBlock) { try read(nonblocking.server, &buffer) }
    }

    @Test("setNonblock turns O_NONBLOCK on and off; a non-blocking listener with no connection throws .wouldBlock")
    func nonblock() throws {
        let (listener, address) = try Loopback.listener()
        defer { try? close(listener) }
        #expect(try !isNonblock(listener))
        try setNonblock(listener, true)
        #expect(try isNonblock(listener))
        #expect(throws: SyscallError.wouldBlock) { try accept4(listener, .nonblock) }
        // A connection in the queue is accepted at once, blocking or not.
        let client = try socket(.inet, .stream)
        defer { try? close(client) }
        try connect(client, address)
        let (server, _) = try accept4(listener, .nonblock)
        try close(server)
        try setNonblock(listener, false)
        #expect(try !isNonblock(listener))
        // socket(…, .nonblock) starts non-blocking.
        let fresh = try socket(.inet, [.stream, .nonblock])
        defer { try? close(fresh) }
        #expect(try isNonblock(fresh))
    }

    @Test("a non-blocking write fills the send buffer, then throws .wouldBlock; reading drains it")
    func writeWouldBlock() throws {
        let pair = try Loopback.pair()
        defer { pair.close() }
        try setsockoptInt(pair.client, .sendBuffer, 4096)
        try setNonblock(pair.client, true)
        let chunk = [UInt8](repeating: 7, count: 65536)
        var written = 0
        var full = false
        // Bounded: the kernel's buffers on both sides hold a few MiB at most.
        for _ in 0..<10_000 {
            do { written += try write(pair.client, chunk) } catch .wouldBlock {
                full = true
                break
            }
        }
        #expect(full)
        var buffer = [UInt8](repeating: 0, count: 65536)
        var received = 0
        while received < written {
            let n = try read(pair.server, &buffer)
            if n == 0 { break }
            #expect(buffer[..<n].allSatisfy { $0 == 7 })
            received += n
        }
        #expect(received == written)
    }

    @Test("shutdown(.write): the peer reads 0 (end of stream) and can still answer")
    func shutdownWrite() throws {
        let pair = try Loopback.pair()
        defer { pair.close() }
        try shutdown(pair.client, .write)
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(try read(pair.server, &buffer) == 0)
        #expect(try write(pair.server, [1, 2, 3]) == 3)
        #expect(try read(pair.client, &buffer) == 3)
    }

    @Test("a reset is .connectionReset on read; a write to a closed peer is .brokenPipe or .connectionReset")
    func resetAndPipe() throws {
        signal(SIGPIPE, SIG_IGN)
        let pair = try Loopback.pair()
        defer { try? close(pair.server) }
        try Loopback.reset(pair.client)
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(throws: SyscallError.connectionReset) { try read(pair.server, &buffer) }

        let other = try Loopback.pair()
        defer { try? close(other.server) }
        try close(other.client)
        // The first write may be taken (the peer answers it with a reset); a later one fails.
        var failure: SyscallError?
        for _ in 0..<100 where failure == nil {
            do { _ = try write(other.server, [1]) } catch { failure = error }
            if failure == nil { usleep(1000) }
        }
        #expect(failure == .brokenPipe || failure == .connectionReset, "got \(String(describing: failure))")
    }

    @Test("setsockoptInt and getsockoptInt: SO_REUSEADDR, TCP_NODELAY, SO_ERROR")
    func options() throws {
        let fd = try socket(.inet, .stream)
        defer { try? close(fd) }
        #expect(try getsockoptInt(fd, .reuseAddr) == 0)
        try setsockoptInt(fd, .reuseAddr, 1)
        #expect(try getsockoptInt(fd, .reuseAddr) != 0)
        try setsockoptInt(fd, .tcpNoDelay, 1)
        #expect(try getsockoptInt(fd, .tcpNoDelay) != 0)
        #expect(try getsockoptInt(fd, .error) == 0)
    }

    @Test("close releases the descriptor; a second close is EBADF")
    func closeTwice() throws {
        let fd = try socket(.inet, .stream)
        #expect(Loopback.isOpen(fd))
        try close(fd)
        #expect(!Loopback.isOpen(fd))
        #expect(throws: SyscallError.other(EBADF)) { try close(fd) }
    }

    @Test("read into an empty buffer and write of nothing return 0 without a call")
    func empty() throws {
        var nothing: [UInt8] = []
        #expect(try read(FD(-1), &nothing) == 0)
        #expect(try write(FD(-1), [UInt8]()) == 0)
    }
}
