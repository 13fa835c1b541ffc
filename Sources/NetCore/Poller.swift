#if canImport(Glibc)
import Glibc
#endif
import CNetShim
import Synchronization

/// The process's one epoll instance, like Go's netpoller. Each descriptor is registered once,
/// edge-triggered, for both directions; events carry a token (slot and generation) so an event
/// for a closed descriptor whose number was reused can never wake the new owner. Tasks never
/// block: they try the syscall and, on EAGAIN, park in `PollDesc.wait`.
///
/// Nobody owns a polling thread: `NetExecutor`'s worker threads take turns in `poll` when they
/// have nothing to run, as Go's scheduler threads do, so a task that prefers that executor is
/// resumed on the thread that saw its event. An eventfd wakes the polling worker when an
/// earlier deadline is armed or work arrives from outside.
final class Poller: Sendable {
    /// The poller of the shared executor; touching it starts the executor's workers.
    static var shared: Poller { NetExecutor.shared.poller }

    private static let wakeToken = UInt64.max

    private let epollFD: Int32
    private let wakeFD: Int32
    private let table = Locked(TokenTable())
    private let timers = Locked(TimerHeap())

    init() {
        cnet_ignore_sigpipe()
        epollFD = cnet_epoll_create()
        wakeFD = cnet_eventfd()
        precondition(epollFD >= 0 && wakeFD >= 0, "netcore: cannot create epoll or eventfd: \(NetError.describe(errno: errno))")
        precondition(cnet_epoll_add(epollFD, wakeFD, Poller.wakeToken) == 0, "netcore: cannot register eventfd")
    }

    // MARK: Registration

    /// Registers `fd` and returns its descriptor. On failure `fd` is closed: either way the
    /// caller no longer owns it.
    func register(fd: Int32) throws -> PollDesc {
        let descriptor = table.withLock { t in
            let token = t.reserve()
            let descriptor = PollDesc(fd: fd, token: token)
            t.store(descriptor, at: token)
            return descriptor
        }
        if cnet_epoll_add(epollFD, fd, descriptor.token) != 0 {
            let error = NetError.fromErrno("register")
            table.withLock { $0.remove(descriptor.token) }
            _ = Glibc.close(fd)
            throw error
        }
        return descriptor
    }

    func unregister(_ descriptor: PollDesc) {
        _ = cnet_epoll_del(epollFD, descriptor.fd)
        table.withLock { $0.remove(descriptor.token) }
    }

    /// Number of registered descriptors (for tests and leak checks).
    var registeredCount: Int { table.withLock { $0.liveCount } }

    // MARK: Timers

    /// Arms a deadline timer, waking the poller if it now has to wake earlier.
    func schedule(_ entry: TimerEntry) {
        let wake = timers.withLock { t in
            t.push(entry)
            if t.sleeping, t.sleepUntil.map({ entry.when < $0 }) ?? true {
                t.sleepUntil = entry.when
                return true
            }
            return false
        }
        if wake { self.wake() }
    }

    /// Number of timers held, stale ones included (for tests of heap compaction).
    var timerCount: Int { timers.withLock { $0.count } }

    /// Number of timers ever armed (for tests of deadlines moved later).
    var timersArmed: Int { timers.withLock { $0.pushed } }

    /// Wakes the worker blocked in `poll`, if any (an eventfd write; harmless when none is).
    func wake() { _ = cnet_eventfd_signal(wakeFD) }

    // MARK: Polling

    /// Waits for readiness events and delivers them, then fires the deadlines that are due.
    /// `block` false only looks; true sleeps until an event, the earliest deadline, or `wake()`.
    /// The executor lets one worker thread at a time in here, and each brings its own buffers.
    func poll(block: Bool, using buffers: inout PollBuffers) {
        let timeout: Int64
        if block {
            timeout = timers.withLock { t -> Int64 in
                t.sleeping = true
                t.sleepUntil = t.earliest
                guard let earliest = t.earliest else { return -1 }
                return max(0, ContinuousClock.now.duration(to: earliest).nanosecondsClamped)
            }
        } else {
            timeout = 0
        }
        let count = cnet_epoll_wait(epollFD, buffers.events, Int32(PollBuffers.capacity), timeout)
        if block { timers.withLock { $0.sleeping = false } }
        if count > 0 {
            var drainWake = false
            table.withLock { t in
                for i in 0..<Int(count) {
                    let event = buffers.events[i]
                    if event.token == Poller.wakeToken {
                        drainWake = true
                    } else if let descriptor = t.lookup(event.token) {
                        buffers.woken.append((descriptor, event.events))
                    }
                }
            }
            if drainWake { cnet_eventfd_drain(wakeFD) }
            for (descriptor, mask) in buffers.woken { descriptor.notify(events: mask) }
            buffers.woken.removeAll(keepingCapacity: true)
        }
        let now = ContinuousClock.now
        timers.withLock { t in t.popDue(now: now, into: &buffers.due) }
        for entry in buffers.due { entry.descriptor.deadlineFired(entry.direction, generation: entry.generation) }
        buffers.due.removeAll(keepingCapacity: true)
    }
}

/// What one call of `Poller.poll` works in, kept by each worker thread so that polling
/// allocates nothing.
struct PollBuffers: ~Copyable {
    static let capacity = 256
    let events = UnsafeMutablePointer<cnet_event>.allocate(capacity: PollBuffers.capacity)
    var woken: [(PollDesc, UInt32)] = []
    var due: [TimerEntry] = []

    init() {
        woken.reserveCapacity(PollBuffers.capacity)
    }

    deinit { events.deallocate() }
}

/// Descriptors by token. A token is `generation << 32 | slot`; a slot's generation changes
/// each time it is freed, so a stale token finds nothing.
struct TokenTable {
    private var slots: [PollDesc?] = []
    private var slotGenerations: [UInt32] = []
    private var freeSlots: [Int] = []
    private(set) var liveCount = 0

    mutating func reserve() -> UInt64 {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = slots.count
            slots.append(nil)
            slotGenerations.append(0)
        }
        return UInt64(slotGenerations[slot]) << 32 | UInt64(slot)
    }

    mutating func store(_ descriptor: PollDesc, at token: UInt64) {
        slots[Int(token & 0xffff_ffff)] = descriptor
        liveCount += 1
    }

    func lookup(_ token: UInt64) -> PollDesc? {
        let slot = Int(token & 0xffff_ffff)
        guard slot < slots.count, UInt64(slotGenerations[slot]) == token >> 32 else { return nil }
        return slots[slot]
    }

    mutating func remove(_ token: UInt64) {
        let slot = Int(token & 0xffff_ffff)
        guard slot < slots.count, UInt64(slotGenerations[slot]) == token >> 32, slots[slot] != nil else { return }
        slots[slot] = nil
        slotGenerations[slot] &+= 1
        freeSlots.append(slot)
        liveCount -= 1
    }
}
