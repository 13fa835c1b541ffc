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
///
/// A group is not the whole story: a child that calls `setsid` leaves it. So whenever the group
/// is killed, so is the rest of the leader's ``ProcessTree`` (its descendants, and whatever
/// carries its `token`).
package final class ProcessGroup: Sendable {
    let pid: pid_t
    /// The leader's ``ProcessTree`` token (nil: the group alone is stopped).
    let token: String?
    private let reaped = Mutex(false)

    /// Every group not reaped yet: builds and lesson programs alike.
    private static let live = Mutex<[pid_t: ProcessGroup]>([:])
    /// Set by ``stopAll(grace:)``: netlab is ending, so every group that ends from now on takes
    /// its whole tree along, a build's too.
    private static let stopping = Mutex(false)

    package init(leader pid: pid_t, token: String? = nil) {
        self.pid = pid
        self.token = token
        ProcessGroup.live.withLock { $0[pid] = self }
    }

    /// Stops every group netlab started and has not reaped: SIGTERM, up to `grace` for them
    /// to exit, then SIGKILL. The children run in groups of their own, so a Ctrl-C in the
    /// terminal reaches none of them (neither a program under check nor a `swift build`): an
    /// interrupted CLI calls this before it exits. SIGTERM first because `swift build` runs
    /// each compiler in a group of its own and stops them only when it is asked nicely; killed
    /// outright, it would leave them running. Blocking: call it from a thread, not a task.
    ///
    /// Each group's waiter then kills the rest of its tree before it reaps the leader; this
    /// waits up to a second more for that, so that netlab exits only once they are gone.
    package static func stopAll(grace: Duration = .milliseconds(500)) {
        stopping.withLock { $0 = true }
        for group in live.withLock({ Array($0.values) }) { group.signal(SIGTERM) }
        var deadline = ContinuousClock.now + grace
        while !live.withLock({ $0.isEmpty }), ContinuousClock.now < deadline { usleep(10_000) }
        for group in live.withLock({ Array($0.values) }) { group.signal(SIGKILL) }
        deadline = ContinuousClock.now + .seconds(1)
        while !live.withLock({ $0.isEmpty }), ContinuousClock.now < deadline { usleep(10_000) }
        ProcessTree.stopStrays(until: ContinuousClock.now + .seconds(1))
    }

    /// Sends `signal` to the whole group unless the leader has been reaped. Returns whether it
    /// was sent.
    @discardableResult
    package func signal(_ signal: Int32) -> Bool {
        reaped.withLock { done in
            if done { return false }
            kill(-pid, signal)
            return true
        }
    }

    /// Blocks until the leader exits, SIGKILLs the rest of its group and of its tree when
    /// `killingGroup` says so (children that would otherwise keep pipes open, daemons that left
    /// the group) or netlab is stopping, reaps the leader and returns its wait status.
    /// Blocking: call it from a thread of its own, never from the cooperative pool.
    package func waitForExit(killingGroup: () -> Bool = { true }) -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0, errno == EINTR {}
        var status: Int32 = 0
        let killing = killingGroup() || ProcessGroup.stopping.withLock { $0 }
        if killing {
            // The leader is a zombie, not reaped: its pid, and so its group id, is still its own.
            kill(-pid, SIGKILL)
            ProcessTree.stop(root: pid, token: token)
        }
        reaped.withLock { done in
            if killing { kill(-pid, SIGKILL) }
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            done = true
        }
        ProcessTree.reaped(pid)
        _ = ProcessGroup.live.withLock { $0.removeValue(forKey: pid) }
        return status
    }
}
