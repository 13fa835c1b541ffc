import CNetShim
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one thread that starts every child netlab runs, for as long as netlab runs.
///
/// Children are started with `PR_SET_PDEATHSIG(SIGKILL)` (``ProcessRunner/spawn``), so that a
/// netlab that dies, however it dies (SIGKILL, a crash), takes them along. Linux sends that
/// signal when the *thread* that forked the child ends, not only when the process does: a
/// child forked by a Dispatch worker, which Dispatch retires after a few idle seconds, would
/// be killed in the middle of a check. So every fork happens here, on a thread that never
/// returns.
///
/// Its first use also makes netlab a child subreaper (`PR_SET_CHILD_SUBREAPER`): a daemon that
/// one of netlab's children started and left behind (after `setsid` and its parent's exit)
/// becomes netlab's child rather than init's, where ``ProcessTree`` finds, stops and reaps it.
final class SpawnThread: @unchecked Sendable {
    static let shared = SpawnThread()

    private let condition = NSCondition()
    private var queue: [() -> Void] = []

    private init() {
        _ = cnet_become_subreaper()
        let thread = Thread { [self] in serve() }
        thread.name = "netlab spawner"
        thread.start()
    }

    private func serve() -> Never {
        while true {
            condition.lock()
            while queue.isEmpty { condition.wait() }
            let work = queue.removeFirst()
            condition.unlock()
            work()
        }
    }

    /// Runs `body` on the spawner thread and returns its result. Blocking (the caller waits
    /// while `body` runs, and while earlier work does): call it off the cooperative pool.
    func run<T>(_ body: @escaping () -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        condition.lock()
        queue.append {
            box.value = body()
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return box.value!
    }
}

/// What the spawner thread hands back to the waiting caller.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
