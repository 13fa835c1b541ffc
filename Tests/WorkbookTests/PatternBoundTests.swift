@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// A pattern that backtracks without end cannot hang netlab: the match runs on the matcher's
/// thread and is abandoned at the step's bound (issue 10).
@Suite("Pattern bounds", .serialized, .timeLimit(.minutes(1)))
struct PatternBoundTests {
    @Test("a match still running at its deadline is abandoned, and the next match runs on a fresh thread")
    func abandonsAtTheDeadline() async {
        let matcher = PatternMatcher()
        let started = ContinuousClock.now
        let slow = await matcher.run(until: .now + .milliseconds(300)) {
            // Stands for a runaway match: 20 s, far past the bound.
            usleep(20_000_000)
            return 0..<1
        }
        guard case .tooSlow = slow else { Issue.record("expected .tooSlow, got \(slow)"); return }
        // Abandoned: long before the runaway ends, however busy the machine.
        #expect(ContinuousClock.now - started < .seconds(10))
        let next = await matcher.run(until: .now + .seconds(5)) { 3..<4 }
        guard case .done(let answer) = next else { Issue.record("expected .done, got \(next)"); return }
        #expect(answer == 3..<4)
    }

    @Test("one slow match does not hold up another; matches that wait for a worker give up at their own deadline")
    func queuedMatchesKeepTheirDeadline() async {
        let matcher = PatternMatcher()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<PatternMatcher.maximumWorkers {
                group.addTask {
                    _ = await matcher.run(until: .now + .seconds(10)) {
                        usleep(20_000_000); return nil
                    }
                }
            }
            // Every worker busy before the next match is asked for (bounded: 10 s).
            let filled = ContinuousClock.now + .seconds(10)
            while matcher.runningCount < PatternMatcher.maximumWorkers, ContinuousClock.now < filled {
                try? await Task.sleep(for: .milliseconds(5))
            }
            #expect(matcher.runningCount == PatternMatcher.maximumWorkers)
            let started = ContinuousClock.now
            let queued = await matcher.run(until: .now + .milliseconds(300)) { nil }
            if case .busy = queued {} else { Issue.record("expected .busy, got \(queued)") }
            // At once, not when a worker frees up (20 s): room for a busy machine.
            #expect(ContinuousClock.now - started < .seconds(5))
            await group.waitForAll()
        }
        let quick = PatternMatcher()
        async let slow = quick.run(until: .now + .seconds(2)) {
            usleep(20_000_000); return nil
        }
        try? await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        let other = await quick.run(until: .now + .seconds(2)) { 1..<2 }
        if case .done(let answer) = other { #expect(answer == 1..<2) } else { Issue.record("expected .done, got \(other)") }
        #expect(ContinuousClock.now - started < .seconds(5))
        _ = await slow
    }

    @Test("cancelling the waiting task abandons the match")
    func cancellation() async {
        let matcher = PatternMatcher()
        let task = Task {
            await matcher.run(until: .now + .seconds(30)) {
                usleep(20_000_000); return nil
            }
        }
        try? await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        task.cancel()
        let outcome = await task.value
        guard case .tooSlow = outcome else { Issue.record("expected .tooSlow, got \(outcome)"); return }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("a slow pattern that the parser allows fails the step within its bound, saying why")
    func slowPatternFailsTheStep() async throws {
        // `(a|aa)+b` has no nested unbounded repetition, yet on 30 `a`s it backtracks for
        // seconds (Fibonacci many ways to cut them). The check must end near its 300 ms bound.
        let started = ContinuousClock.now
        let r = try await runOne(
            """
            start --listen {listen} --mode echo
            check "slow pattern"
              connect a
              send a "\(String(repeating: "a", count: 30))!"
              expect a /(a|aa)+b/ within 300ms
            """)
        expectFail(r, "took too long to match and was abandoned at the step's bound")
        #expect(r.message?.contains("/(a|aa)+b/") == true)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("log patterns go through the matcher too: a quick pattern still matches")
    func logPatternsStillMatch() async throws {
        let r = try await runOne(
            """
            start --listen {listen} --mode echo
            check "log"
              connect a
              expect server log /^accepted {a.addr}$/ within 2s
              expect server no log /panic|fatal/ for 100ms
            """)
        expectPass(r)
    }
}
