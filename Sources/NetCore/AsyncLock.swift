import CNetShim

/// A first-come-first-served lock held across awaits. Each conn has one per direction, like
/// the read and write halves of Go's `fdMutex`: reads are serialized among themselves and
/// writes among themselves, while a read and a write may run at the same time. Conn wrappers
/// (NetTLS's `TLSConn`) use it the same way.
///
/// Waiting for the lock can be cancelled (it throws `NetError(.canceled)`). It needs no
/// deadline of its own when the holder's operation obeys the conn's deadlines and `close`:
/// then the holder always lets go.
///
/// A struct around shared state: copies are the same lock. (A struct rather than a class saves
/// an allocation per lock, and every conn has two.)
public struct AsyncLock: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<Bool, Never>
    }

    private struct State {
        var locked = false
        var waiters: [Waiter] = []
    }

    private let state = Locked(State())

    public init() {}

    /// Takes the lock, waiting behind earlier callers. Throws `NetError(.canceled)` if the
    /// calling task is cancelled while it waits.
    @inline(__always)
    public func lock() async throws {
        if tryLock() { return }
        try await lockSlowly()
    }

    /// Takes the lock if it is free, without waiting.
    public func tryLock() -> Bool {
        state.withLock { s in
            if s.locked { return false }
            s.locked = true
            return true
        }
    }

    /// The waiting half of `lock`, kept apart so that the common, uncontended case never
    /// allocates this function's frame.
    @inline(never)
    private func lockSlowly() async throws {
        let id = nextWaitID()
        let granted = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
                let immediate: Bool? = state.withLock { s in
                    if !s.locked {
                        s.locked = true
                        return true
                    }
                    if Task.isCancelled { return false }
                    s.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let cancelled: UnsafeContinuation<Bool, Never>? = state.withLock { s in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index).continuation
            }
            cancelled?.resume(returning: false)
        }
        if !granted { throw NetError(.canceled) }
    }

    /// Releases the lock, handing it straight to the longest waiter if there is one.
    public func unlock() {
        let next: UnsafeContinuation<Bool, Never>? = state.withLock { s in
            if s.waiters.isEmpty {
                s.locked = false
                return nil
            }
            return s.waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}

/// A process-wide unique id that lets a cancellation handler find its own waiter. Each thread
/// takes ids from a block of its own (`cnet_next_wait_id`), so that waits on different cores
/// do not pass one shared counter's cache line back and forth.
@inline(__always)
func nextWaitID() -> UInt64 {
    cnet_next_wait_id()
}
