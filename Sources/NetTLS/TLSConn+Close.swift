#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import NetCore

extension TLSConn {
    // MARK: Closing

    private enum CloseAction { case alreadyClosed, closeNow, flushThenClose }

    /// Marks the conn closed and queues close_notify when Go would send one. Engine lock taken.
    private func beginClose() -> CloseAction {
        engine.withLock {
            if closed { return .alreadyClosed }
            closed = true
            guard handshakeDone.load(ordering: .acquiring), writesInFlight == 0, writeFailure == nil else { return .closeNow }
            queueCloseNotify()
            return .flushThenClose
        }
    }

    /// Engine lock held.
    private func queueCloseNotify() {
        guard !closeNotifyQueued else { return }
        closeNotifyQueued = true
        ERR_clear_error()
        _ = SSL_shutdown(ssl)  // writes close_notify; returns 0 until the peer's arrives
        ERR_clear_error()
        outbox.append(draining: wbio)
    }

    /// Closes the conn, the way Go's `Close` does: after a completed handshake, and unless a
    /// write is in flight (then close is breaking that write), close_notify is sent with a 5 s
    /// write deadline, then the wrapped conn is closed. Pending reads and writes end with
    /// `.closed`; a second close throws `.closed`.
    ///
    /// `Conn.close()` cannot wait, so when close_notify has to go out, a short task sends it
    /// and then closes the wrapped conn; `closeGracefully()` does the same and waits for it.
    /// (That task runs on `NetExecutor`: a plain `Task {}` does not inherit the caller's
    /// executor preference and would run on Swift's global executor, handing the conn's
    /// locks back and forth between its threads and NetCore's. Measured on lesson 7's proxy
    /// under 8 handshaking clients: 4.5% of its CPU ran on the global executor's threads, and
    /// `strace -c` counted 5.2 futex calls per connection, 1.3 with this.)
    public func close() throws {
        switch beginClose() {
        case .alreadyClosed: throw closedError("close")
        case .closeNow: try wrapped.close()
        case .flushThenClose:
            Task(executorPreference: NetExecutor.shared) { [self] in await finishClose(timeout: .seconds(5)) }
        }
    }

    /// `close()`, waiting until close_notify is sent (at most `timeout`) and the wrapped conn
    /// is closed. Errors sending close_notify are ignored: the conn is closed either way.
    public func closeGracefully(timeout: Duration = .seconds(5)) async throws {
        switch beginClose() {
        case .alreadyClosed: throw closedError("close")
        case .closeNow: try wrapped.close()
        case .flushThenClose: await finishClose(timeout: timeout)
        }
    }

    private func finishClose(timeout: Duration) async {
        try? wrapped.setWriteDeadline(.after(timeout))
        try? await flushOutbox()
        try? wrapped.close()
    }

    /// Sends close_notify: the peer reads a clean end of stream and can still reply. Later
    /// writes throw. Like Go's `CloseWrite` (the TCP stream itself stays open both ways).
    ///
    /// `Conn.closeWrite()` cannot wait, so a short task sends the alert (on `NetExecutor`, as
    /// `close()`'s does); `sendCloseNotify()` does the same and waits for it.
    public func closeWrite() throws {
        try queueCloseWrite()
        Task(executorPreference: NetExecutor.shared) { [self] in try? await flushOutbox() }
    }

    /// `closeWrite()`, waiting until close_notify is on the wire.
    public func sendCloseNotify() async throws {
        try queueCloseWrite()
        try await flushOutbox()
    }

    private func queueCloseWrite() throws {
        try engine.withLock {
            if closed { throw closedError("close") }
            guard handshakeDone.load(ordering: .acquiring) else {
                throw TLSError(.shutdown, "closeWrite called before the handshake completed")
            }
            if let writeFailure { throw writeFailure }
            queueCloseNotify()
        }
    }

    /// Later reads return 0. Shuts down the wrapped conn's reading side when it can, which
    /// wakes a pending read. TLS has no message for this; the peer is not told.
    public func closeRead() throws {
        try engine.withLock {
            if closed { throw closedError("close") }
            readShut = true
        }
        if let halfClosable = wrapped as? any HalfClosable { try halfClosable.closeRead() }
    }
}
