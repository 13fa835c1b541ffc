/// Accepts connections from `listener` until it is closed, running `handler` for each one in
/// a task of its own. Like the accept loop of Go's `http.Server.Serve`:
///
/// - One child task per connection, started at once: no work happens in the accept loop, so
///   a client that connects and says nothing blocks nobody.
/// - On a temporary accept error (EMFILE: out of descriptors) it sleeps 5 ms, doubling up to
///   1 s, and tries again (on the poller's own timers: Dispatch, behind `Task.sleep`, needs a
///   new descriptor to arm a timer, which is exactly what EMFILE denies); `onTemporaryError` hears about each one with the delay chosen.
///   A success resets the delay. Any other error ends the loop and is thrown.
/// - The handler cannot throw, so one connection's failure never cancels its siblings.
///   `serve` closes each conn after its handler returns (if the handler did not).
/// - It returns normally when the listener is closed or the calling task is cancelled; the
///   handlers still running are cancelled (their pending I/O throws `.canceled`) and awaited.
/// - The accept loop and the handlers (and the tasks they start in groups) run on
///   `NetExecutor.shared`, like goroutines on Go's scheduler, wherever `serve` was called from.
public func serve(
    _ listener: TCPListener,
    onTemporaryError: (@Sendable (NetError, Duration) -> Void)? = nil,
    handler: @escaping @Sendable (TCPConn) async -> Void
) async throws {
    // The accept loop and every handler run on NetCore's executor, whose threads also poll:
    // a handler whose read had to wait is resumed on the thread that saw the data arrive.
    try await withTaskExecutorPreference(NetExecutor.shared) {
        try await acceptLoop(listener, onTemporaryError: onTemporaryError, handler: handler)
    }
}

private func acceptLoop(
    _ listener: TCPListener,
    onTemporaryError: (@Sendable (NetError, Duration) -> Void)?,
    handler: @escaping @Sendable (TCPConn) async -> Void
) async throws {
    var failure: NetError?
    await withDiscardingTaskGroup { group in
        var delay: Duration = .zero
        while true {
            let conn: TCPConn
            do {
                conn = try await listener.accept()
            } catch let error as NetError {
                if error.code == .closed || error.code == .canceled || Task.isCancelled { break }
                guard error.isTemporary else {
                    failure = error
                    break
                }
                delay = delay == .zero ? .milliseconds(5) : min(delay * 2, .seconds(1))
                onTemporaryError?(error, delay)
                if !(await sleepOnPoller(for: delay)) { break }
                continue
            } catch {
                break
            }
            delay = .zero
            group.addTask {
                await handler(conn)
                closeIfOpen(conn)
            }
        }
        group.cancelAll()
    }
    if let failure { throw failure }
}

/// Sleeps for `duration` on the poller's timer heap, which needs no descriptor. Returns false
/// if the calling task was cancelled first.
func sleepOnPoller(for duration: Duration) async -> Bool {
    // A descriptor-less PollDesc: never registered with epoll and never closed, it exists only
    // to carry a read deadline and a waiter.
    let timer = PollDesc(fd: -1, token: .max - 1)
    _ = timer.setDeadline(.after(duration), for: .read)
    return await timer.wait(.read) == .timedOut
}

/// Closes `conn` unless the handler already did. Synchronous and out of line: it keeps error
/// handling out of the frame that every connection's task keeps while its handler runs.
@inline(never)
private func closeIfOpen(_ conn: TCPConn) {
    try? conn.close()
}
