import Glibc
import Syscall
import Testing

@Suite("SyscallError: errno as a Swift error")
struct SyscallErrorTests {
    @Test(
        "each named errno has its case, its number and Go's message",
        arguments: [
            (EAGAIN, SyscallError.wouldBlock, "resource temporarily unavailable"),
            (EINTR, .interrupted, "interrupted system call"), (ECONNRESET, .connectionReset, "connection reset by peer"),
            (EPIPE, .brokenPipe, "broken pipe"), (ECONNREFUSED, .connectionRefused, "connection refused"),
            (EADDRINUSE, .addressInUse, "address already in use"), (EBADF, .other(EBADF), "bad file descriptor"),
        ])
    func named(code: Int32, error: SyscallError, message: String) {
        #expect(SyscallError(errno: code) == error)
        #expect(error.errno == code)
        #expect(error.description == message)
    }

    @Test("EWOULDBLOCK is EAGAIN; .other of a named errno equals its case; an unknown errno still has a message")
    func equality() {
        #expect(SyscallError(errno: EWOULDBLOCK) == .wouldBlock)
        #expect(SyscallError.other(EAGAIN) == .wouldBlock)
        #expect(Set([SyscallError.other(EPIPE), .brokenPipe]).count == 1)
        #expect(SyscallError(errno: 9999) == .other(9999))
        #expect(!SyscallError.other(9999).description.isEmpty)
    }

    @Test("real calls throw what a learner can catch by name")
    func thrownByCalls() throws {
        // Bad descriptor.
        #expect(throws: SyscallError.other(EBADF)) { try close(FD(-1)) }
        // An address in use.
        let (listener, address) = try Loopback.listener()
        defer { try? close(listener) }
        let second = try socket(.inet, .stream)
        defer { try? close(second) }
        do {
            try bind(second, address)
            Issue.record("bind to a port in use succeeded")
        } catch .addressInUse {
            // typed throws: the case is matched without a cast
        } catch {
            Issue.record("expected .addressInUse, got \(error)")
        }
        // Nothing listens: close the listener, connect to its port.
        let (gone, goneAddress) = try Loopback.listener()
        try close(gone)
        let client = try socket(.inet, .stream)
        defer { try? close(client) }
        #expect(throws: SyscallError.connectionRefused) { try connect(client, goneAddress) }
    }

    @Test("`catch SyscallError.wouldBlock` works where the error is `any Error`")
    func catchUntyped() throws {
        let (listener, _) = try Loopback.listener(flags: .nonblock)
        defer { try? close(listener) }
        func untyped() throws { _ = try accept(listener) }
        var caught = false
        do { try untyped() } catch SyscallError.wouldBlock { caught = true }
        #expect(caught)
    }
}
