#if canImport(Glibc)
import Glibc
#endif
import CNetShim

/// A TCP connection. Like Go's `*net.TCPConn`: non-blocking underneath, parked on the poller
/// while it waits, with Go's deadline and close semantics. `TCP_NODELAY` is on by default.
///
/// A conn that is dropped without `close()` is closed by its deinit (Go relies on a finalizer).
public final class TCPConn: HalfClosable, Sendable {
    let descriptor: PollDesc
    let readLock = AsyncLock()
    let writeLock = AsyncLock()
    public let localAddress: SocketAddress
    public let remoteAddress: SocketAddress

    /// Takes ownership of a connected, non-blocking socket.
    convenience init(socket fd: Int32, local: SocketAddress? = nil, remote: SocketAddress? = nil) throws {
        self.init(descriptor: try Poller.shared.register(fd: fd), local: local, remote: remote)
    }

    /// Takes ownership of a registered, connected socket.
    init(descriptor: PollDesc, local: SocketAddress?, remote: SocketAddress?) {
        self.descriptor = descriptor
        localAddress = local ?? SocketAddress.of(fd: descriptor.fd, peer: false) ?? .unknown
        remoteAddress = remote ?? SocketAddress.of(fd: descriptor.fd, peer: true) ?? .unknown
        setIntOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    deinit { descriptor.close() }

    /// `local->remote`, the way Go's errors name a conn.
    var pairName: String { "\(localAddress)->\(remoteAddress)" }

    @inline(never)
    func error(_ result: WaitResult, _ op: String, bytes: Int = 0) -> NetError {
        NetError(result.errorCode, op: op, address: pairName, bytesTransferred: bytes)
    }

    @inline(never)
    func error(_ result: WaitResult, _ op: StaticString, bytes: Int = 0) -> NetError {
        error(result, op.description, bytes: bytes)
    }

    // MARK: Reading and writing
    //
    // Each operation is an async loop around a synchronous attempt. The split is for memory:
    // a parked read's frames stay allocated for as long as the conn is idle, and a frame holds
    // every local of its function, error paths included. Keeping the syscall, its errno and
    // the building of errors in synchronous helpers keeps the async frames small: measured
    // with `netbench idle`, a conn parked in `read` went from three of the task allocator's
    // 1,000-byte slabs to two.

    public func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        try await readLock.lock()
        defer { readLock.unlock() }
        return try await readLocked(into: buffer)
    }

    /// `read` for a caller that already holds `readLock`.
    @inline(__always)
    func readLocked(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        var woke = false
        while true {
            if let n = try attemptRead(into: buffer, afterWake: woke) { return n }
            try await waitUntilReady(.read, "read", bytes: 0)
            woke = true
        }
    }

    /// Reads what is available, at most `maxCount` bytes; an empty array means end of stream.
    ///
    /// Holds no buffer while it waits: each attempt reads into the thread's scratch buffer and
    /// copies out exactly what came. A server whose handlers sit in `read(upToCount: 32768)`
    /// pays nothing for the 32 KiB while its clients are quiet (Go's `Read` cannot do this: the
    /// caller's buffer is there all along).
    public func read(upToCount maxCount: Int) async throws -> [UInt8] {
        try await readLock.lock()
        defer { readLock.unlock() }
        var woke = false
        while true {
            if let bytes = try attemptRead(upToCount: maxCount, afterWake: woke) { return bytes }
            try await waitUntilReady(.read, "read", bytes: 0)
            woke = true
        }
    }

    /// One read(2) into a fresh array: the bytes (empty at end of stream), or nil when nothing
    /// has arrived yet.
    private func attemptRead(upToCount maxCount: Int, afterWake: Bool) throws -> [UInt8]? {
        let count = max(maxCount, 0)
        if count <= Int(CNET_SCRATCH_SIZE), let scratch = cnet_thread_scratch() {
            let buffer = UnsafeMutableRawBufferPointer(start: scratch, count: count)
            guard let n = try attemptRead(into: buffer, afterWake: afterWake) else { return nil }
            return Array(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { buffer.deallocate() }
        guard let n = try attemptRead(into: buffer, afterWake: afterWake) else { return nil }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
    }

    /// One read(2): the count (0 at end of stream), or nil when nothing has arrived yet.
    func attemptRead(into buffer: UnsafeMutableRawBufferPointer, afterWake: Bool) throws -> Int? {
        if buffer.count == 0 {
            if descriptor.isClosing { throw error(.closed, "read") }
            return 0
        }
        while true {
            if let failure = descriptor.begin(.read, afterWake: afterWake) { throw error(failure, "read") }
            let n = Glibc.read(descriptor.fd, buffer.baseAddress, buffer.count)
            let code = errno
            descriptor.end()
            if n >= 0 { return n }
            if code == EINTR { continue }
            if code == EAGAIN { return nil }
            throw NetError(.system(code), op: "read", address: pairName)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) async throws {
        try await writeLock.lock()
        defer { writeLock.unlock() }
        try await writeLocked(bytes)
    }

    @inline(__always)
    func writeLocked(_ bytes: UnsafeRawBufferPointer) async throws {
        var sent = 0
        var woke = false
        while true {
            sent = try attemptWrite(bytes, from: sent, afterWake: woke)
            if sent == bytes.count { return }
            try await waitUntilReady(.write, "write", bytes: sent)
            woke = true
        }
    }

    /// send(2) until `bytes` are all sent or the socket is full; returns the total sent so far.
    func attemptWrite(_ bytes: UnsafeRawBufferPointer, from start: Int, afterWake: Bool) throws -> Int {
        if bytes.isEmpty {
            if descriptor.isClosing { throw error(.closed, "write") }
            return 0
        }
        var sent = start
        var woke = afterWake
        while sent < bytes.count {
            if let failure = descriptor.begin(.write, afterWake: woke) { throw error(failure, "write", bytes: sent) }
            woke = false
            let n = cnet_send(descriptor.fd, bytes.baseAddress! + sent, bytes.count - sent)
            let code = errno
            descriptor.end()
            if n >= 0 {
                sent += n
                continue
            }
            if code == EINTR { continue }
            if code == EAGAIN { return sent }
            throw NetError(.system(code), op: "write", address: pairName, bytesTransferred: sent)
        }
        return sent
    }

    /// Parks until `direction` may be ready; throws the conn's error for any other outcome.
    /// Inlined into `read` and `write`, which saves a frame on every parked conn's stack;
    /// `waitUntilReadyOutOfLine` is for callers with large frames of their own.
    @inline(__always)
    func waitUntilReady(_ direction: Direction, _ op: StaticString, bytes: Int) async throws {
        let outcome = await descriptor.wait(direction)
        if outcome != .ready { throw error(outcome, op, bytes: bytes) }
    }

    @inline(never)
    func waitUntilReadyOutOfLine(_ direction: Direction, _ op: StaticString, bytes: Int) async throws {
        try await waitUntilReady(direction, op, bytes: bytes)
    }

    /// Parks a reader whose last read came back short (see `PollDesc.wait(_:afterShortRead:)`).
    @inline(never)
    func waitForMoreAfterShortRead(bytes: Int) async throws {
        let outcome = await descriptor.wait(.read, afterShortRead: true)
        if outcome != .ready { throw error(outcome, "read", bytes: bytes) }
    }

    // MARK: Closing

    public func close() throws {
        if !descriptor.close() { throw error(.closed, "close") }
    }

    /// Closes with a TCP reset (RST) instead of an orderly FIN, by setting `SO_LINGER` to 0.
    public func closeWithReset() throws {
        try withDescriptor("close") { fd in _ = cnet_set_linger_zero(fd) }
        try close()
    }

    public func closeWrite() throws { try shutdown(SHUT_WR, "close") }
    public func closeRead() throws { try shutdown(SHUT_RD, "close") }

    private func shutdown(_ how: Int, _ op: String) throws {
        var code: Int32 = 0
        try withDescriptor(op) { fd in
            if Glibc.shutdown(fd, Int32(how)) != 0 { code = errno }
        }
        if code != 0 { throw NetError(.system(code), op: op, address: pairName) }
    }

    /// Runs `body` with the descriptor, which stays open meanwhile; `.closed` once closed.
    func withDescriptor(_ op: String, _ body: (Int32) -> Void) throws {
        if let failure = descriptor.begin(nil) { throw error(failure, op) }
        body(descriptor.fd)
        descriptor.end()
    }

    // MARK: Deadlines and options

    public func setReadDeadline(_ deadline: Deadline?) throws {
        if !descriptor.setDeadline(deadline, for: .read) { throw error(.closed, "set deadline") }
    }

    public func setWriteDeadline(_ deadline: Deadline?) throws {
        if !descriptor.setDeadline(deadline, for: .write) { throw error(.closed, "set deadline") }
    }

    /// Like Go's `SetNoDelay`. On by default.
    public func setNoDelay(_ on: Bool) throws {
        try withDescriptor("set option") { _ in setIntOption(Int32(IPPROTO_TCP), TCP_NODELAY, on ? 1 : 0) }
    }

    /// Like Go's `SetReadBuffer`: the kernel's receive buffer (SO_RCVBUF; Linux doubles the
    /// value and applies a floor). A small one makes a peer's writes back up sooner.
    public func setReadBuffer(_ bytes: Int) throws {
        try withDescriptor("set option") { _ in setIntOption(SOL_SOCKET, SO_RCVBUF, Int32(clamping: bytes)) }
    }

    /// Like Go's `SetWriteBuffer`: the kernel's send buffer (SO_SNDBUF).
    public func setWriteBuffer(_ bytes: Int) throws {
        try withDescriptor("set option") { _ in setIntOption(SOL_SOCKET, SO_SNDBUF, Int32(clamping: bytes)) }
    }

    /// Like Go's `SetKeepAlive` plus `SetKeepAlivePeriod`: probes after `period` of idleness,
    /// then every `period`; `nil` turns keep-alive off.
    public func setKeepAlive(period: Duration?) throws {
        let seconds = period.map { max(1, Int32(clamping: $0.components.seconds)) } ?? 0
        var code: Int32 = 0
        try withDescriptor("set option") { fd in
            if cnet_set_keepalive(fd, seconds) != 0 { code = errno }
        }
        if code != 0 { throw NetError(.system(code), op: "set option", address: pairName) }
    }

    private func setIntOption(_ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(descriptor.fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}

extension WaitResult {
    var errorCode: NetError.Code {
        switch self {
        case .closed: return .closed
        case .timedOut: return .deadlineExceeded
        case .canceled: return .canceled
        case .ready: return .system(EAGAIN)
        }
    }
}
