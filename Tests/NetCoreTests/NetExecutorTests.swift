import Foundation
import Synchronization
import Testing
@testable import NetCore

/// Serialized: two of these tests hold a worker on purpose, and together they would hold both.
@Suite("NetExecutor: tasks run on the threads that poll", .serialized, .timeLimit(.minutes(1)))
struct NetExecutorTests {
    @Test("a task that prefers the executor runs on a worker, before and after a read that waited")
    func tasksRunOnWorkers() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        try pair.server.setReadDeadline(.after(.seconds(20)))  // a broken executor fails, not hangs
        let reader = Task(executorPreference: NetExecutor.shared) { () -> (Bool, [UInt8], Bool) in
            let before = NetExecutor.shared.isCurrentWorker
            let bytes = (try? await pair.server.readExactly(4)) ?? []
            return (before, bytes, NetExecutor.shared.isCurrentWorker)
        }
        try await Task.sleep(for: .milliseconds(20))  // let the read park (it works either way)
        try await pair.client.write("ping")
        let (before, bytes, after) = await reader.value
        #expect(before)
        #expect(bytes == Array("ping".utf8))
        #expect(after, "the read's wake-up resumed the task on a worker")
        #expect(!NetExecutor.shared.isCurrentWorker, "this test itself runs on the global pool")
        #expect(NetExecutor.shared.workerCount >= 2)
    }

    @Test("work sent from other threads wakes an idle worker, 200 times in a row")
    func wakesFromOutside() async {
        // A private executor whose idle workers sleep 60 s between looks at the queue (the
        // shared one looks every 10 ms, which would hide a missing wake-up): a task that woke
        // nobody would wait that long, where a wake-up takes well under a millisecond. Its
        // threads stay parked for the rest of the test run.
        let executor = NetExecutor(idleSleep: .seconds(60))
        let ranOnWorker = Locked(0)
        let deadline = ContinuousClock.now + .seconds(30)  // generous; one missed wake-up is 60 s
        var ran = 0
        while ran < 200, ContinuousClock.now < deadline {
            // Enqueued from this (global pool) thread while the workers sit idle, one in
            // epoll_wait and one asleep: the enqueue must wake one of them. Not awaited with
            // `.value`, which could not be bounded: polled until it ran, or the deadline.
            Task(executorPreference: executor) {
                let onWorker = executor.isCurrentWorker
                ranOnWorker.withLock { $0 += onWorker ? 1 : 1_000 }
            }
            while ranOnWorker.withLock({ $0 }) == ran, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .microseconds(200))
            }
            ran += 1
        }
        #expect(ranOnWorker.withLock { $0 } == 200, "every task ran, each on a worker, within 30 s")
    }

    @Test("a job that holds one worker does not stop the other from polling and running the rest")
    func heldWorkerDoesNotStallIO() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let released = Locked(false)
        let pingPongDone = Locked(false)
        // A job that blocks its thread (what no real job may do) until the ping-pong below is
        // over, or 10 s at most so that a broken executor fails the test instead of hanging it.
        let holder = Task(executorPreference: NetExecutor.shared) {
            let start = ContinuousClock.now
            while !pingPongDone.withLock({ $0 }), ContinuousClock.now - start < .seconds(10) {
                usleep(1_000)
            }
            released.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(50))
        let echo = Task(executorPreference: NetExecutor.shared) {
            for _ in 0..<20 {
                let bytes = try await pair.server.readExactly(3)
                try await pair.server.write(bytes)
            }
        }
        try pair.client.setReadDeadline(.after(.seconds(20)))
        for round in 0..<20 {
            try await pair.client.write("r\(String(format: "%02d", round))")
            _ = try await pair.client.readExactly(3)
        }
        let heldThroughout = !released.withLock { $0 }
        pingPongDone.withLock { $0 = true }
        try await echo.value
        await holder.value
        #expect(heldThroughout, "all 20 round trips ran while one worker was held")
    }

    @Test("work a busy job creates is picked up by an idle worker, not left for when the job ends")
    func busyJobDoesNotStrandNewWork() async throws {
        // The job starts a task, then keeps its worker busy for up to 2 s without awaiting
        // (what no real job should do, and what a learner's first busy loop does). The other
        // worker is idle, parked in epoll_wait: it must notice the new task long before that.
        // An atomic, not a lock: a loop that takes a lock again and again would starve the
        // other thread of the lock itself, whatever the executor does.
        let started = StartMark()
        // Let the workers settle: one parked in epoll_wait, the other asleep.
        await Task(executorPreference: NetExecutor.shared) {}.value
        try await Task.sleep(for: .milliseconds(50))
        let spinner = Task(executorPreference: NetExecutor.shared) { () -> Duration? in
            let begin = ContinuousClock.now
            Task(executorPreference: NetExecutor.shared) { started.mark() }
            while !started.isMarked, ContinuousClock.now - begin < .seconds(2) {}
            return started.isMarked ? started.elapsed(since: begin) : nil
        }
        let delay = await spinner.value
        #expect(delay != nil, "the new task never started while the job was busy")
        // Generous: the bound the executor promises is about 10 ms; a loaded CI machine may add
        // scheduling delay on top, but not a second.
        #expect((delay ?? .seconds(2)) < .milliseconds(500), "it waited \(String(describing: delay))")
    }

    @Test("Task.sleep, deadlines and cancellation work for tasks on the executor")
    func sleepDeadlineAndCancel() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let slept = Task(executorPreference: NetExecutor.shared) { () -> Duration in
            let start = ContinuousClock.now
            try? await Task.sleep(for: .milliseconds(30))
            return ContinuousClock.now - start
        }
        #expect(await slept.value >= .milliseconds(30))

        let timedOut = Task(executorPreference: NetExecutor.shared) { () -> NetError.Code? in
            try? pair.server.setReadDeadline(.after(.milliseconds(30)))
            do {
                _ = try await pair.server.read(upToCount: 10)
                return nil
            } catch let error as NetError {
                return error.code
            } catch {
                return nil
            }
        }
        #expect(await timedOut.value == .deadlineExceeded)
        try pair.server.setReadDeadline(nil)

        let canceled = Task(executorPreference: NetExecutor.shared) { () -> NetError.Code? in
            do {
                _ = try await pair.server.read(upToCount: 10)
                return nil
            } catch let error as NetError {
                return error.code
            } catch {
                return nil
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        canceled.cancel()
        #expect(await canceled.value == .canceled)
    }

    @Test("2,000 tasks that yield 50 times each all finish, on the workers")
    func manyYieldingTasks() async {
        let finished = Locked(0)
        await withTaskExecutorPreference(NetExecutor.shared) {
            await withDiscardingTaskGroup { group in
                for _ in 0..<2_000 {
                    group.addTask {
                        for _ in 0..<50 { await Task.yield() }
                        if NetExecutor.shared.isCurrentWorker { finished.withLock { $0 += 1 } }
                    }
                }
            }
        }
        #expect(finished.withLock { $0 } == 2_000)
    }

    @Test("the ring queue keeps order across growth and wrap-around")
    func ringQueueOrder() {
        var queue = RingQueue<Int>()
        var expected: [Int] = []
        var popped: [Int] = []
        var next = 0
        // Interleave pushes and pops so that the ring wraps before it grows, twice over.
        for round in 0..<6 {
            for _ in 0..<(200 * (round + 1)) {
                queue.push(next)
                expected.append(next)
                next += 1
            }
            for _ in 0..<(150 * (round + 1)) { popped.append(queue.pop()!) }
        }
        while let value = queue.pop() { popped.append(value) }
        #expect(popped == expected)
        #expect(queue.isEmpty && queue.pop() == nil)
    }
}

/// A moment, set once from any thread and read without a lock: nanoseconds after `origin`.
final class StartMark: Sendable {
    private let origin = ContinuousClock.now
    private let nanoseconds = Synchronization.Atomic<Int64>(0)

    func mark() {
        let (seconds, attoseconds) = (ContinuousClock.now - origin).components
        nanoseconds.store(max(1, seconds * 1_000_000_000 + attoseconds / 1_000_000_000), ordering: .releasing)
    }

    var isMarked: Bool { nanoseconds.load(ordering: .acquiring) != 0 }

    /// How long after `start` the mark was set.
    func elapsed(since start: ContinuousClock.Instant) -> Duration {
        (origin + .nanoseconds(nanoseconds.load(ordering: .acquiring))) - start
    }
}
