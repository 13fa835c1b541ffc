#if canImport(Glibc)
import Glibc
#endif
import CNetShim
import Dispatch

/// The threads that run NetCore's tasks and poll the network between them, like the threads of
/// Go's scheduler (its Ms, with `GOMAXPROCS` of them). A worker with nothing to run waits in
/// `epoll_wait` itself, so a connection's task is resumed on the thread that saw its event:
/// no hand-over to another thread, no wake-up, for each read that had to wait.
///
/// `serve` and `LessonProgram` run their tasks here; anyone else can opt in with
/// `withTaskExecutorPreference(NetExecutor.shared) { … }` or
/// `Task(executorPreference: NetExecutor.shared) { … }`. Tasks that do not still work: their
/// waits are resumed from these threads onto Swift's global executor.
///
/// Scheduling, in short:
/// - one queue, first in, first out, for every worker;
/// - at most one worker polls at a time; it blocks only when the queue is empty;
/// - a worker that ran `pollInterval` jobs in a row looks at the network without blocking, so
///   a steady stream of work cannot starve I/O (Go's scheduler checks the poller the same way);
/// - an idle worker that is not polling sleeps, for at most 10 ms at a time, so that the
///   network is still polled when the polling worker went off to run a long job (Go's sysmon
///   does this job);
/// - work that arrives from outside, or from a job that is running, wakes a sleeping worker or
///   the polling one (as Go wakes an idle P); work that the polling worker's own events resume
///   wakes another only when more than one job waits, because that worker runs it next.
///
/// Like the cooperative pool, the workers must never block: a job that blocks a worker takes
/// away one of the threads that poll.
public final class NetExecutor: TaskExecutor, @unchecked Sendable {
    /// The process's executor; created, with its workers, the first time NetCore is used.
    public static let shared = NetExecutor()

    /// How many worker threads run tasks: the number of online CPUs, at least 2.
    public let workerCount: Int

    let poller: Poller
    private static let pollInterval = 61
    /// How long an idle worker that is not polling sleeps before it looks again.
    private let idleSleepNanoseconds: Int

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let workAvailable: UnsafeMutablePointer<pthread_cond_t>
    // Guarded by `mutex`:
    private var queue = RingQueue<UnownedJob>()
    private var sleepers = 0
    /// A worker is in `poller.poll`.
    private var polling = false
    /// … and may be blocked in `epoll_wait`, so work from outside must wake it.
    private var pollerMayBlock = false
    /// … and has been woken already.
    private var pollerKicked = false

    /// `idleSleep` is 10 ms for the shared executor; tests make private ones with a long one,
    /// so that a task nobody woke would be seen waiting.
    init(idleSleep: Duration = .milliseconds(10)) {
        idleSleepNanoseconds =
            Int(idleSleep.components.seconds) * 1_000_000_000
            + Int(idleSleep.components.attoseconds / 1_000_000_000)
        poller = Poller()
        workerCount = max(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        workAvailable = .allocate(capacity: 1)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(workAvailable, &attributes)
        pthread_condattr_destroy(&attributes)
        for _ in 0..<workerCount { startWorker() }
        Self.primeDispatchTimers
    }

    /// `Task.sleep` and every other timer of Swift's global executor go through libdispatch,
    /// which makes its own epoll, eventfd and timerfd the first time a timer is armed, and stops
    /// the process (SIGILL, in `_dispatch_epoll_init`) if it cannot. A server whose first
    /// `Task.sleep` came when it had run out of descriptors (the pause before retrying an accept
    /// that failed with EMFILE, exactly) died of it. Arming one timer while descriptors are
    /// free makes libdispatch set all that up at once; it costs three descriptors, once.
    private static let primeDispatchTimers: Void = {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(1)) {}
    }()

    /// This executor's tag for `cnet_thread_tag`.
    private var tag: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Whether the calling thread is one of this executor's workers.
    var isCurrentWorker: Bool { cnet_thread_tag() == tag }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A worker delivering poller events runs what they resume as soon as it is done, so
        // for that work another worker is worth a wake-up only when more than one job waits.
        // Work from anywhere else, a running job included (which may run for long, and Go
        // wakes an idle P for it too), wakes an idle worker now.
        let inDispatch = cnet_thread_dispatching() != 0 && isCurrentWorker
        pthread_mutex_lock(mutex)
        queue.push(job)
        let wanted = !inDispatch || queue.count > 1
        var signal = false
        var kick = false
        if wanted {
            if sleepers > 0 {
                signal = true
            } else if pollerMayBlock && !pollerKicked {
                pollerKicked = true
                kick = true
            }
        }
        pthread_mutex_unlock(mutex)
        if signal { pthread_cond_signal(workAvailable) }
        if kick { poller.wake() }
    }

    // MARK: Workers

    private func startWorker() {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(
            &thread, &attributes,
            { context in
                let executor = Unmanaged<NetExecutor>.fromOpaque(context!).takeRetainedValue()
                executor.work()
            }, context)
        pthread_attr_destroy(&attributes)
        precondition(rc == 0, "netcore: cannot start a worker thread")
        pthread_detach(thread)
    }

    private func work() -> Never {
        cnet_set_thread_tag(tag)
        cnet_set_thread_name("netcore-worker")
        let unownedSelf = asUnownedTaskExecutor()
        var buffers = PollBuffers()
        var runsSincePoll = 0
        pthread_mutex_lock(mutex)
        while true {
            if let job = queue.pop() {
                let helpWanted = !queue.isEmpty && sleepers > 0
                pthread_mutex_unlock(mutex)
                if helpWanted { pthread_cond_signal(workAvailable) }
                job.runSynchronously(on: unownedSelf)
                runsSincePoll += 1
                pthread_mutex_lock(mutex)
                if runsSincePoll >= Self.pollInterval && !polling {
                    polling = true
                    pthread_mutex_unlock(mutex)
                    cnet_set_thread_dispatching(1)
                    poller.poll(block: false, using: &buffers)
                    cnet_set_thread_dispatching(0)
                    pthread_mutex_lock(mutex)
                    polling = false
                    runsSincePoll = 0
                }
                continue
            }
            if !polling {
                polling = true
                pollerMayBlock = true
                pollerKicked = false
                pthread_mutex_unlock(mutex)
                cnet_set_thread_dispatching(1)
                poller.poll(block: true, using: &buffers)
                cnet_set_thread_dispatching(0)
                pthread_mutex_lock(mutex)
                polling = false
                pollerMayBlock = false
                runsSincePoll = 0
                continue
            }
            sleepers += 1
            var until = timespec()
            clock_gettime(CLOCK_MONOTONIC, &until)
            until.tv_sec += idleSleepNanoseconds / 1_000_000_000
            until.tv_nsec += idleSleepNanoseconds % 1_000_000_000
            if until.tv_nsec >= 1_000_000_000 {
                until.tv_sec += 1
                until.tv_nsec -= 1_000_000_000
            }
            _ = pthread_cond_timedwait(workAvailable, mutex, &until)
            sleepers -= 1
        }
    }
}

/// A first-in, first-out ring that grows by doubling and never shrinks (the executor's queue).
struct RingQueue<Element> {
    private var slots: [Element?] = Array(repeating: nil, count: 256)
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func push(_ element: Element) {
        if count == slots.count { grow() }
        slots[(head + count) & (slots.count - 1)] = element
        count += 1
    }

    mutating func pop() -> Element? {
        guard count > 0 else { return nil }
        let element = slots[head]
        slots[head] = nil
        head = (head + 1) & (slots.count - 1)
        count -= 1
        return element
    }

    private mutating func grow() {
        var larger: [Element?] = Array(repeating: nil, count: slots.count * 2)
        for i in 0..<count { larger[i] = slots[(head + i) & (slots.count - 1)] }
        slots = larger
        head = 0
    }
}
