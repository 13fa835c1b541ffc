import Foundation
import Testing

/// `runProcess`, the interop suites' way to run python3 and promtool, leaves nothing running
/// when the test that called it is cancelled (what a suite's time limit does).
@Suite("runProcess: bounded, and nothing outlives a cancelled test")
struct RunProcessTests {
    @Test("a cancelled call kills and reaps its program, then throws CancellationError")
    func cancelledCallKillsTheProgram() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-runprocess-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let call = Task {
            try await runProcess("/bin/sh", ["-c", "echo $$ > \(pidFile.path); exec sleep 100"], stdin: "")
        }
        // Wait (at most 10 s) for the program to say who it is, then cancel the call.
        var pid: pid_t?
        let deadline = ContinuousClock.now + .seconds(10)
        while pid == nil, ContinuousClock.now < deadline {
            pid = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            try await Task.sleep(for: .milliseconds(20))
        }
        let child = try #require(pid, "the program did not start within 10 s")
        call.cancel()
        let result = await call.result
        #expect(throws: CancellationError.self) { try result.get() }
        // Reaped: the pid no longer names a process (no zombie either, which kill(0) would find).
        #expect(kill(child, 0) == -1 && errno == ESRCH, "pid \(child) is still there after the call returned")
    }
}
