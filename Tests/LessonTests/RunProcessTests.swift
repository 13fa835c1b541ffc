import Foundation
import Testing

/// `runProcess`, the interop suites' way to run python3 and promtool, leaves nothing running
/// when the test that called it is cancelled (what a suite's time limit does).
@Suite("runProcess: bounded, and nothing outlives a cancelled test", .timeLimit(.minutes(2)))
struct RunProcessTests {
    @Test("a cancelled call kills and reaps its program, then throws CancellationError")
    func cancelledCallKillsTheProgram() async throws {
        // The pid comes from runProcess itself, not from a clock: a busy test run may leave this
        // task waiting for seconds, and that must not read as "the program did not start".
        let (pids, sink) = AsyncStream.makeStream(of: pid_t.self)
        let call = Task {
            defer { sink.finish() }  // a call that fails to start ends the wait below too
            return try await runProcess("/bin/sleep", ["100"], stdin: "", started: { sink.yield($0) })
        }
        var started = pids.makeAsyncIterator()
        let child = try #require(await started.next(), "runProcess returned without starting the program")
        call.cancel()
        let result = await call.result
        #expect(throws: CancellationError.self) { try result.get() }
        // Reaped: the pid no longer names a process (no zombie either, which kill(0) would find).
        #expect(kill(child, 0) == -1 && errno == ESRCH, "pid \(child) is still there after the call returned")
    }
}
