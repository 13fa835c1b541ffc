import Testing

@testable import LessonKit

/// BoundedQueue, Go's buffered channel: order, the bound, the hand-over to a waiting receiver,
/// finish, cancellation, and many senders at once. No timing assertions: a test that needs the
/// receiver parked polls for it. A receiver still waiting 30 s after it should have been woken
/// is a failure, and is then released: a wait that ignores cancellation would outlive the
/// suite's time limit. (30 s, not less: CI has starved a test's task for 10 s on a busy machine.)
@Suite("LessonKit BoundedQueue", .timeLimit(.minutes(2)))
struct BoundedQueueTests {
    @Test("first in, first out; an offer to a full queue is refused and changes nothing")
    func orderAndBound() async {
        let queue = BoundedQueue<Int>(capacity: 3)
        #expect([1, 2, 3].map { queue.offer($0) } == [.queued, .queued, .queued])
        #expect(queue.offer(4) == .full)
        #expect(queue.count == 3)
        #expect(await queue.next() == 1)
        #expect(queue.offer(5) == .queued)
        #expect(queue.offer(6) == .full)
        var got: [Int] = []
        for _ in 0..<3 { got.append(await queue.next() ?? -1) }
        #expect(got == [2, 3, 5])
        #expect(queue.count == 0)
    }

    @Test("the ring keeps the order when it wraps around and when it grows while wrapped")
    func wrapsAndGrows() async {
        let queue = BoundedQueue<Int>(capacity: 1000)
        for i in 1...10 { #expect(queue.offer(i) == .queued) }
        for i in 1...7 { #expect(await queue.next() == i) }
        // 3 left at slots 7-9 of 16; 90 more wrap past the end and make the ring grow twice.
        for i in 11...100 { #expect(queue.offer(i) == .queued) }
        var got: [Int] = []
        while queue.count > 0 { got.append(await queue.next() ?? -1) }
        #expect(got == Array(8...100))
    }

    @Test("finish: nothing more is added; what is queued comes out, then nil, every time")
    func finishDrains() async {
        let queue = BoundedQueue<String>(capacity: 4)
        _ = queue.offer("a")
        _ = queue.offer("b")
        queue.finish()
        queue.finish()  // twice is harmless (Go's second close panics)
        #expect(queue.offer("c") == .finished)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(await queue.next() == nil)
        #expect(await queue.next() == nil)
    }

    @Test("an offer while the receiver waits hands the element straight to it")
    func handOver() async {
        let queue = BoundedQueue<Int>(capacity: 1)
        let receiver = Task { await queue.next() }
        await waitUntilParked(queue)
        #expect(queue.offer(42) == .queued)
        #expect(await result(of: receiver, releasing: queue) == 42)
        #expect(queue.count == 0, "handed over, not queued")
        #expect(queue.offer(43) == .queued, "the one slot is still free")
    }

    /// How a waiting receiver is woken without an element.
    enum Wake: String, CaseIterable, Sendable {
        case finish, cancelTheReceiver
    }

    @Test("finish, or cancelling the receiver, ends its wait with nil, and the queue is finished", arguments: Wake.allCases)
    func wakeWithoutElement(_ wake: Wake) async {
        let queue = BoundedQueue<Int>(capacity: 2)
        let receiver = Task { await queue.next() }
        await waitUntilParked(queue)
        switch wake {
        case .finish: queue.finish()
        case .cancelTheReceiver: receiver.cancel()
        }
        #expect(await result(of: receiver, releasing: queue) == nil)
        #expect(queue.offer(1) == .finished)
    }

    @Test("a receiver cancelled before it calls next gets what is queued, then nil at once")
    func cancelledBeforeNext() async {
        let queue = BoundedQueue<Int>(capacity: 2)
        _ = queue.offer(7)
        let receiver = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            #expect(await queue.next() == 7)
            return await queue.next()
        }
        #expect(await result(of: receiver, releasing: queue) == nil)
        #expect(queue.offer(8) == .finished)
    }

    @Test("receive: every element in order, across waits, until finish; then it returns")
    func receiveUntilFinish() async {
        let queue = BoundedQueue<Int>(capacity: 4)
        let receiver = Task {
            var got: [Int] = []
            await queue.receive {
                got.append($0); return true
            }
            return got.count == 3 && got == [1, 2, 3] ? 0 : nil
        }
        _ = queue.offer(1)
        await waitUntilParked(queue)  // 1 taken: the loop waits again
        _ = queue.offer(2)
        _ = queue.offer(3)
        queue.finish()
        #expect(await result(of: receiver, releasing: queue) == 0, "got 1, 2, 3 and returned")
    }

    @Test("receive: returning false stops the loop, and what is left stays queued")
    func receiveStops() async {
        let queue = BoundedQueue<Int>(capacity: 4)
        for i in 1...4 { _ = queue.offer(i) }
        var got: [Int] = []
        await queue.receive {
            got.append($0); return $0 < 2
        }
        #expect(got == [1, 2])
        #expect(queue.count == 2)
        #expect(await queue.next() == 3)
    }

    @Test("receive: cancelling the receiving task ends the loop and finishes the queue")
    func receiveCancelled() async {
        let queue = BoundedQueue<Int>(capacity: 2)
        let receiver = Task { () -> Int? in
            await queue.receive { _ in true }
            return 0
        }
        await waitUntilParked(queue)
        receiver.cancel()
        #expect(await result(of: receiver, releasing: queue) == 0)
        #expect(queue.offer(1) == .finished)
    }

    @Test("a taken element is let go at once: the queue keeps no reference to it")
    func letsGoOfTaken() async {
        final class Box: Sendable {}
        let queue = BoundedQueue<Box>(capacity: 2)
        weak var taken: Box?
        do {
            let box = Box()
            taken = box
            _ = queue.offer(box)
        }
        #expect(taken != nil, "queued: the queue holds it")
        _ = await queue.next()
        #expect(taken == nil, "taken and dropped: nothing holds it")
    }

    @Test("many senders at once: every element queued arrives, once, in each sender's order")
    func manySenders() async {
        let queue = BoundedQueue<Int>(capacity: 8)
        let senders = 4
        let perSender = 5_000
        let receiver = Task {
            var last = [Int](repeating: -1, count: senders)
            var received = 0
            var inOrder = true
            while let value = await queue.next() {
                let (sender, index) = value.quotientAndRemainder(dividingBy: perSender)
                if index <= last[sender] { inOrder = false }
                last[sender] = index
                received += 1
            }
            return (received, inOrder)
        }
        let queued = await withTaskGroup(of: Int.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    var queued = 0
                    for index in 0..<perSender {
                        if queue.offer(sender * perSender + index) == .queued { queued += 1 }
                        if index % 64 == 0 { await Task.yield() }
                    }
                    return queued
                }
            }
            return await group.reduce(0, +)
        }
        queue.finish()
        let (received, inOrder) = await receiver.value
        #expect(received == queued)
        #expect(inOrder)
        #expect(queued > 0)
    }

    /// Yields until a receiver waits in `next()` (a failure if none does within 30 s).
    private func waitUntilParked(_ queue: BoundedQueue<Int>) async {
        let giveUp = ContinuousClock.now + .seconds(30)
        while !queue.state.withLock({ $0.receiver != nil }) {
            if ContinuousClock.now > giveUp {
                Issue.record("no receiver waiting in next() after 30 s")
                return
            }
            await Task.yield()
        }
    }

    /// What `receiver` returned. One still waiting 30 s from now is a failure, and is released
    /// (finish, then an element, whichever it hears) so that the test ends.
    private func result(of receiver: Task<Int?, Never>, releasing queue: BoundedQueue<Int>) async -> Int? {
        let watchdog = Task {
            guard (try? await Task.sleep(for: .seconds(30))) != nil else { return }
            Issue.record("the receiver was still waiting 30 s later")
            queue.finish()
            _ = queue.offer(-1)
        }
        defer { watchdog.cancel() }
        return await receiver.value
    }
}
