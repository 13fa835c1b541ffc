import Foundation
import Testing
@testable import NetCore

@Suite("Locked: the one-word futex mutex", .timeLimit(.minutes(1)))
struct LockedTests {
    /// Threads, not tasks: the contended path sleeps in futex, which must never happen on the
    /// cooperative pool. Each increment is a read, sometimes a yield, then a write, so that a
    /// lock that let two holders in would lose updates; with more threads than cores, holders
    /// are often preempted while holding the lock, so the sleeping path and its wake-ups run too.
    @Test("4 threads × 20,000 read-yield-write increments lose none, and never overlap")
    func mutualExclusion() async {
        struct Counter { var value = 0; var holders = 0; var overlaps = 0 }
        let counter = Locked(Counter())
        let threads = 4, rounds = 20_000
        let finished = await onThread { () -> Bool in
            let group = DispatchGroup()
            for _ in 0..<threads {
                group.enter()
                Thread.detachNewThread {
                    for i in 0..<rounds {
                        counter.withLock { c in
                            c.holders += 1
                            if c.holders > 1 { c.overlaps += 1 }
                            let seen = c.value
                            if i % 64 == 0 { sched_yield() }  // invite a preemption while held
                            c.value = seen + 1
                            c.holders -= 1
                        }
                    }
                    group.leave()
                }
            }
            return group.wait(timeout: .now() + 50) == .success
        }
        #expect(finished, "the threads finished within 50 s")
        let result = counter.withLock { $0 }
        #expect(result.value == threads * rounds)
        #expect(result.overlaps == 0)
    }

    @Test("a release wakes a sleeping waiter: a holder that keeps the lock 50 ms lets the other in after")
    func sleeperIsWoken() async {
        let lock = Locked(0)
        let woken = await onThread { () -> Bool in
            let taken = DispatchSemaphore(value: 0)
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                lock.withLock { _ in
                    taken.signal()
                    usleep(50_000)  // long past the spin: the other thread sleeps in futex
                }
            }
            taken.wait()
            Thread.detachNewThread {
                lock.withLock { $0 += 1 }
                done.signal()
            }
            // A lost wake-up would leave the second thread asleep for ever.
            return done.wait(timeout: .now() + 10) == .success
        }
        #expect(woken, "the waiter got the lock within 10 s")
        #expect(lock.withLock { $0 } == 1)
    }
}

/// Runs `body` on a thread of its own and waits for its result without holding a pool thread:
/// the bodies above block (semaphores, group waits), which the cooperative pool must never do.
/// Expectations stay in the test itself, where Swift Testing can attribute them.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (done: CheckedContinuation<T, Never>) in
        Thread.detachNewThread { done.resume(returning: body()) }
    }
}
