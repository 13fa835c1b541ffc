import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child started as the leader of its own process group, which netlab signals as a whole
/// (`kill(-pid, …)`) so that a learner's program and anything it started stop together.
///
/// The group id is the leader's pid, and a pid is free for reuse as soon as the leader is
/// reaped: a group signal sent after that could reach an unrelated process group (another
/// check's server, in a busy test run). So a `ProcessGroup` never reaps before it has
/// finished signalling: `waitForExit` waits with `WNOWAIT`, which leaves the exited leader a
/// zombie (its pid still taken), kills what is left of the group, and only then reaps; every
/// signal is sent under the same lock that marks the leader reaped.
final class ProcessGroup: Sendable {
    let pid: pid_t
    private let reaped = Mutex(false)

    /// Every group not reaped yet: builds and lesson programs alike.
    private static let live = Mutex<[pid_t: ProcessGroup]>([:])

    init(leader pid: pid_t) {
        self.pid = pid
        ProcessGroup.live.withLock { $0[pid] = self }
    }

    /// Stops every group netlab started and has not reaped: SIGTERM, up to `grace` for them
    /// to exit, then SIGKILL. The children run in groups of their own, so a Ctrl-C in the
    /// terminal reaches none of them (neither a program under check nor a `swift build`): an
    /// interrupted CLI calls this before it exits. SIGTERM first because `swift build` runs
    /// each compiler in a group of its own and stops them only when it is asked nicely; killed
    /// outright, it would leave them running. Blocking: call it from a thread, not a task.
    static func stopAll(grace: Duration = .milliseconds(500)) {
        for group in live.withLock({ Array($0.values) }) { group.signal(SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while !live.withLock({ $0.isEmpty }), ContinuousClock.now < deadline { usleep(10_000) }
        for group in live.withLock({ Array($0.values) }) { group.signal(SIGKILL) }
    }

    /// Sends `signal` to the whole group unless the leader has been reaped. Returns whether it
    /// was sent.
    @discardableResult
    func signal(_ signal: Int32) -> Bool {
        reaped.withLock { done in
            if done { return false }
            kill(-pid, signal)
            return true
        }
    }

    /// Blocks until the leader exits, SIGKILLs the rest of its group when `killingGroup` says
    /// so (children that would otherwise keep pipes open), reaps the leader and returns its
    /// wait status. Blocking: call it from a thread of its own, never from the cooperative pool.
    func waitForExit(killingGroup: () -> Bool = { true }) -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0, errno == EINTR {}
        var status: Int32 = 0
        reaped.withLock { done in
            if killingGroup() { kill(-pid, SIGKILL) }
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            done = true
        }
        _ = ProcessGroup.live.withLock { $0.removeValue(forKey: pid) }
        return status
    }
}
