import Foundation
import Testing

@testable import LessonKit

/// ShutdownSignal's delivery without real signals: who gets the first signal, what a second one
/// does, and that a waiting task can be cancelled (every wait here is bounded).
@Suite("LessonKit ShutdownSignal")
struct ShutdownSignalTests {
    @Test("without notify() a signal is not taken: the program exits as before")
    func notTakenByDefault() {
        let signal = ShutdownSignal()
        #expect(!signal.deliver(SIGTERM))
        #expect(signal.received == nil)
    }

    @Test("the first signal resumes every waiter with its number; a second one is not taken")
    func firstSignalWakesWaiters() async throws {
        let signal = ShutdownSignal()
        signal.take()
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<3 { group.addTask { try await signal.wait() } }
            // Deliver until every waiter has parked (delivery before they park is fine too:
            // wait() returns at once once the signal came).
            try await Task.sleep(for: .milliseconds(50))
            #expect(signal.deliver(SIGTERM))
            var got: [Int32] = []
            for try await value in group { got.append(value) }
            #expect(got == [SIGTERM, SIGTERM, SIGTERM])
        }
        #expect(signal.received == SIGTERM)
        #expect(!signal.deliver(SIGINT), "a second signal exits")
        #expect(try await signal.wait() == SIGTERM, "a wait after the signal returns at once")
    }

    @Test("a cancelled waiter throws CancellationError and the signal still reaches the others")
    func cancellation() async throws {
        let signal = ShutdownSignal()
        signal.take()
        let cancelled = Task { try await signal.wait() }
        let waiting = Task { try await signal.wait() }
        try await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(signal.deliver(SIGINT))
        #expect(try await waiting.value == SIGINT)
    }

    @Test("a task cancelled before it waits throws at once")
    func cancelledBeforeWaiting() async {
        let signal = ShutdownSignal()
        signal.take()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await signal.wait()
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test("names for the log")
    func names() {
        #expect(ShutdownSignal.name(of: SIGTERM) == "SIGTERM")
        #expect(ShutdownSignal.name(of: SIGINT) == "SIGINT")
        #expect(ShutdownSignal.name(of: SIGHUP) == "signal \(SIGHUP)")
    }
}
