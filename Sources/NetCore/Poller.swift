#if canImport(Glibc)
import Glibc
#endif
import CNetShim
import Synchronization

/// The one thread that waits in `epoll_wait` for every descriptor in the process, like Go's
/// netpoller. Each descriptor is registered once, edge-triggered, for both directions; events
/// carry a token (slot and generation) so an event for a closed descriptor whose number was
/// reused can never wake the new owner. An eventfd wakes the thread when an earlier deadline
/// is armed. Tasks never block: they try the syscall and, on EAGAIN, park in `PollDesc.wait`.
final class Poller: Sendable {
    static let shared = Poller()

    private static let wakeToken = UInt64.max

    private let epollFD: Int32
    private let wakeFD: Int32
    private let table = Locked(TokenTable())
    private let timers = Locked(TimerHeap())

    private init() {
        cnet_ignore_sigpipe()
        epollFD = cnet_epoll_create()
        wakeFD = cnet_eventfd()
        precondition(epollFD >= 0 && wakeFD >= 0, "netcore: cannot create epoll or eventfd: \(NetError.describe(errno: errno))")
        precondition(cnet_epoll_add(epollFD, wakeFD, Poller.wakeToken) == 0, "netcore: cannot register eventfd")
        startThread()
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
        if wake { _ = cnet_eventfd_signal(wakeFD) }
    }

    /// Number of timers held, stale ones included (for tests of heap compaction).
    var timerCount: Int { timers.withLock { $0.count } }

    // MARK: The loop

    private func startThread() {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, &attributes, { context in
            let poller = Unmanaged<Poller>.fromOpaque(context!).takeRetainedValue()
            poller.run()
        }, context)
        pthread_attr_destroy(&attributes)
        precondition(rc == 0, "netcore: cannot start the poller thread")
        pthread_detach(thread)
    }

    private func run() -> Never {
        let capacity = 256
        let events = UnsafeMutablePointer<cnet_event>.allocate(capacity: capacity)
        var woken: [(PollDesc, UInt32)] = []
        woken.reserveCapacity(capacity)
        var due: [TimerEntry] = []
        while true {
            let timeout = timers.withLock { t -> Int64 in
                t.sleeping = true
                t.sleepUntil = t.earliest
                guard let earliest = t.earliest else { return -1 }
                return max(0, ContinuousClock.now.duration(to: earliest).nanosecondsClamped)
            }
            let count = cnet_epoll_wait(epollFD, events, Int32(capacity), timeout)
            timers.withLock { $0.sleeping = false }
            if count > 0 {
                var drainWake = false
                table.withLock { t in
                    for i in 0..<Int(count) {
                        let event = events[i]
                        if event.token == Poller.wakeToken {
                            drainWake = true
                        } else if let descriptor = t.lookup(event.token) {
                            woken.append((descriptor, event.events))
                        }
                    }
                }
                if drainWake { cnet_eventfd_drain(wakeFD) }
                for (descriptor, mask) in woken { descriptor.notify(events: mask) }
                woken.removeAll(keepingCapacity: true)
            }
            let now = ContinuousClock.now
            timers.withLock { t in t.popDue(now: now, into: &due) }
            for entry in due { entry.descriptor.deadlineFired(entry.direction, generation: entry.generation) }
            due.removeAll(keepingCapacity: true)
        }
    }
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
