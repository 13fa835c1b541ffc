#if canImport(Glibc)
import Glibc
#endif
import CNetShim
import Synchronization

/// The two directions of I/O on a descriptor, each with its own readiness, waiter and deadline.
enum Direction: Int, Sendable {
    case read = 0
    case write = 1
}

/// How a wait for readiness ended.
enum WaitResult: Sendable {
    /// The descriptor may be ready: try the syscall again.
    case ready
    case closed
    case timedOut
    case canceled
}

/// The poller's view of one descriptor. Like Go's `pollDesc` plus the close logic of `FD`:
///
/// - Readiness that arrives while nobody waits is latched, so an edge-triggered event is never
///   lost; the latch is cleared just before each syscall, as Go's `prepareRead` does.
/// - At most one waiter per direction (the conn's `AsyncLock` serializes callers).
/// - A deadline is absolute; once it passes, the direction fails before any syscall until a
///   new deadline is set. An earlier deadline bumps a generation, so the timer armed for the
///   later one is stale and ignored; a later one waits for the armed timer (see `setDeadline`).
/// - `close` wakes waiters with `.closed`; the descriptor itself is closed only when no syscall
///   is using it, so its number can never be reused under a running syscall.
final class PollDesc: Sendable {
    let fd: Int32
    let token: UInt64
    private let state = Locked(State())
    /// Deadline generations, written under `state`'s lock, read without it by the poller when
    /// it compacts its timer heap.
    private let readGeneration = Atomic<UInt64>(0)
    private let writeGeneration = Atomic<UInt64>(0)
    /// When the poller timer of each direction's current generation fires, in nanoseconds after
    /// `PollDesc.epoch` (`Int64.min`: none is armed); read and written under `state`'s lock. It
    /// may be earlier than the deadline: a later deadline leaves the armed timer alone, and the
    /// timer arms itself again for the deadline when it fires. Kept out of `State`, as atomics
    /// the lock makes plain: with two more optional instants in `State`, an idle
    /// `copy(from:to:)` measured 3.82 KiB a connection instead of 2.81 (`netbench idle`; why a
    /// larger `State` costs a parked copy a kilobyte was not pinned down).
    private let readArmed = Atomic<Int64>(.min)
    private let writeArmed = Atomic<Int64>(.min)
    private static let epoch = ContinuousClock.now

    private struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<WaitResult, Never>
    }

    private struct Side {
        var ready = false
        var waiter: Waiter?
        var deadline: ContinuousClock.Instant?
        var expired = false
    }

    private struct State {
        var closing = false
        /// The peer closed or reset, or sent urgent data (RDHUP, HUP, ERR or PRI was seen):
        /// from now on a short read no longer proves that the socket is empty. Never cleared.
        var readToEnd = false
        var descriptorClosed = false
        var syscallsInFlight = 0
        // Two stored sides rather than an array: no allocation, no bounds or uniqueness checks
        // on the hot path.
        var reader = Side()
        var writer = Side()

        subscript(_ side: Int) -> Side {
            get { side == 0 ? reader : writer }
            _modify {
                if side == 0 { yield &reader } else { yield &writer }
            }
        }
    }

    init(fd: Int32, token: UInt64) {
        self.fd = fd
        self.token = token
    }

    var isClosing: Bool { state.withLock { $0.closing } }

    func generation(_ direction: Direction) -> UInt64 {
        direction == .read ? readGeneration.load(ordering: .acquiring) : writeGeneration.load(ordering: .acquiring)
    }

    private func bumpGeneration(_ direction: Direction) -> UInt64 {
        direction == .read
            ? readGeneration.wrappingAdd(1, ordering: .releasing).newValue
            : writeGeneration.wrappingAdd(1, ordering: .releasing).newValue
    }

    // MARK: Syscalls

    /// Prepares a syscall in `direction` (nil for one that is neither, like shutdown): fails
    /// if the descriptor is closing or the direction's deadline has passed, else clears the
    /// readiness latch and counts the syscall as in flight. Pair every nil result with `end()`.
    ///
    /// `afterWake` is for the retry that follows a `.ready` from `wait`: like Go's
    /// `runtime_pollWait`, readiness that was delivered wins over a deadline that passed while
    /// the task waited to be scheduled, so that retry skips the deadline check (a new
    /// operation still fails at once on an expired deadline, even with data ready).
    func begin(_ direction: Direction?, afterWake: Bool = false) -> WaitResult? {
        state.withLock { s in
            if s.closing { return .closed }
            if let direction {
                if s[direction.rawValue].expired && !afterWake { return .timedOut }
                s[direction.rawValue].ready = false
            }
            s.syscallsInFlight += 1
            return nil
        }
    }

    /// Ends a syscall started with `begin`; the last one out closes a closing descriptor.
    func end() {
        let closeNow = state.withLock { s in
            s.syscallsInFlight -= 1
            return s.closing && s.syscallsInFlight == 0 && takeDescriptorClose(&s)
        }
        if closeNow { closeDescriptor() }
    }

    // MARK: Waiting

    /// Waits until the poller reports `direction` ready, the deadline passes, the descriptor is
    /// closed, or the calling task is cancelled.
    ///
    /// `afterShortRead` is for a reader whose last read returned less than it asked for: that
    /// read took everything the socket held, so it may wait without first reading again until
    /// EAGAIN (one syscall fewer per message), and any byte that arrives later is an event
    /// after its `begin` cleared the latch. Two things break that proof, and both make this
    /// wait return `.ready` at once, so that the reader reads again: an end of stream, reset
    /// or error that was reported before that `begin` (its event is not repeated), and urgent
    /// data (a read stops short at the urgent mark with bytes still behind it).
    func wait(_ direction: Direction, afterShortRead: Bool = false) async -> WaitResult {
        let id = nextWaitID()
        let side = direction.rawValue
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<WaitResult, Never>) in
                let now: WaitResult? = state.withLock { s in
                    if s.closing { return .closed }
                    if s[side].expired { return .timedOut }
                    if s[side].ready {
                        s[side].ready = false
                        return .ready
                    }
                    if afterShortRead && s.readToEnd { return .ready }
                    if Task.isCancelled { return .canceled }
                    precondition(s[side].waiter == nil, "two waiters on one direction of fd \(fd)")
                    s[side].waiter = Waiter(id: id, continuation: continuation)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter: UnsafeContinuation<WaitResult, Never>? = state.withLock { s in
                guard let waiter = s[side].waiter, waiter.id == id else { return nil }
                s[side].waiter = nil
                return waiter.continuation
            }
            waiter?.resume(returning: .canceled)
        }
    }

    /// Called by the poller with an epoll event mask. Readers wake on IN, RDHUP, HUP or ERR;
    /// writers on OUT, HUP or ERR (as in Go's netpoll). RDHUP, HUP, ERR and PRI also set
    /// `readToEnd` (see `wait(_:afterShortRead:)`).
    func notify(events: UInt32) {
        let readable = events & UInt32(CNET_EPOLLIN | CNET_EPOLLRDHUP | CNET_EPOLLHUP | CNET_EPOLLERR) != 0
        let writable = events & UInt32(CNET_EPOLLOUT | CNET_EPOLLHUP | CNET_EPOLLERR) != 0
        let endOrUrgent = events & UInt32(CNET_EPOLLRDHUP | CNET_EPOLLHUP | CNET_EPOLLERR | CNET_EPOLLPRI) != 0
        let (reader, writer) = state.withLock { s -> (Waiter?, Waiter?) in
            var woken: (Waiter?, Waiter?) = (nil, nil)
            if endOrUrgent { s.readToEnd = true }
            if readable {
                woken.0 = s[0].waiter
                s[0].waiter = nil
                if woken.0 == nil { s[0].ready = true }
            }
            if writable {
                woken.1 = s[1].waiter
                s[1].waiter = nil
                if woken.1 == nil { s[1].ready = true }
            }
            return woken
        }
        reader?.continuation.resume(returning: .ready)
        writer?.continuation.resume(returning: .ready)
    }

    // MARK: Deadlines

    /// Sets or clears the deadline of `direction`. A deadline in the past expires the
    /// direction at once and wakes its waiter; a future one arms a poller timer, unless one is
    /// armed already for no later than it.
    ///
    /// Like Go's `modtimer` with `timerModifiedLater`: a server that pushes its idle deadline
    /// forward before every read touches no timer at all; the one armed for the first deadline
    /// fires, finds the deadline moved, and arms itself for the new one. Only an earlier
    /// deadline bumps the generation (the armed timer goes stale) and arms a new timer.
    func setDeadline(_ deadline: ContinuousClock.Instant?, for direction: Direction) -> Bool {
        let side = direction.rawValue
        let (ok, woken, generation, arm) = state.withLock { s -> (Bool, Waiter?, UInt64, Bool) in
            if s.closing { return (false, nil, 0, false) }
            s[side].deadline = deadline
            guard let deadline else {
                s[side].expired = false
                return (true, nil, 0, false)
            }
            if deadline <= .now {
                s[side].expired = true
                let waiter = s[side].waiter
                s[side].waiter = nil
                return (true, waiter, 0, false)
            }
            s[side].expired = false
            if let armed = armed(direction), armed <= deadline { return (true, nil, 0, false) }
            setArmed(direction, deadline)
            return (true, nil, bumpGeneration(direction), true)
        }
        woken?.continuation.resume(returning: .timedOut)
        if arm, let deadline {
            Poller.shared.schedule(TimerEntry(when: deadline, descriptor: self, direction: direction, generation: generation))
        }
        return ok
    }

    /// Called by the poller when a timer fires; ignored unless it is the armed one. The
    /// direction expires if its deadline has passed; a deadline that moved later arms the timer
    /// again for it.
    func deadlineFired(_ direction: Direction, generation: UInt64) {
        let side = direction.rawValue
        let (waiter, rearm) = state.withLock { s -> (Waiter?, ContinuousClock.Instant?) in
            guard !s.closing, generation == self.generation(direction) else { return (nil, nil) }
            setArmed(direction, nil)
            guard let deadline = s[side].deadline, !s[side].expired else { return (nil, nil) }
            if deadline > .now {
                setArmed(direction, deadline)
                return (nil, deadline)
            }
            s[side].expired = true
            let waiter = s[side].waiter
            s[side].waiter = nil
            return (waiter, nil)
        }
        waiter?.continuation.resume(returning: .timedOut)
        if let rearm {
            Poller.shared.schedule(TimerEntry(when: rearm, descriptor: self, direction: direction, generation: generation))
        }
    }

    /// The armed timer's instant (see `readArmed`); call under `state`'s lock.
    private func armed(_ direction: Direction) -> ContinuousClock.Instant? {
        let nanoseconds = direction == .read ? readArmed.load(ordering: .relaxed) : writeArmed.load(ordering: .relaxed)
        return nanoseconds == .min ? nil : Self.epoch + .nanoseconds(nanoseconds)
    }

    /// Records the armed timer's instant; call under `state`'s lock.
    private func setArmed(_ direction: Direction, _ instant: ContinuousClock.Instant?) {
        let nanoseconds = instant.map { Self.epoch.duration(to: $0).nanosecondsClamped } ?? .min
        if direction == .read {
            readArmed.store(nanoseconds, ordering: .relaxed)
        } else {
            writeArmed.store(nanoseconds, ordering: .relaxed)
        }
    }

    // MARK: Close

    /// Marks the descriptor closing and wakes both waiters with `.closed`. The descriptor is
    /// closed now if no syscall is using it, else by the last `end()`. Returns false if it was
    /// already closing (Go's second `Close` returns `ErrClosed`).
    @discardableResult
    func close() -> Bool {
        let (first, waiters, closeNow) = state.withLock { s -> (Bool, [Waiter], Bool) in
            if s.closing { return (false, [], false) }
            s.closing = true
            _ = bumpGeneration(.read)
            _ = bumpGeneration(.write)
            let waiters = [s.reader.waiter, s.writer.waiter].compactMap { $0 }
            s[0].waiter = nil
            s[1].waiter = nil
            return (true, waiters, s.syscallsInFlight == 0 && takeDescriptorClose(&s))
        }
        for waiter in waiters { waiter.continuation.resume(returning: .closed) }
        if closeNow { closeDescriptor() }
        return first
    }

    private func takeDescriptorClose(_ s: inout State) -> Bool {
        if s.descriptorClosed { return false }
        s.descriptorClosed = true
        return true
    }

    /// Removes the descriptor from epoll, then closes it (never retried on EINTR, as in Go).
    private func closeDescriptor() {
        Poller.shared.unregister(self)
        _ = Glibc.close(fd)
    }
}
