@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
import FoundationXML
@testable import NetlabCommandLine
@testable import ProcessSupervision
import Testing
@testable import Workbook
#if canImport(FoundationXML)
#endif

@Suite("CLI: watch and processes", .timeLimit(.minutes(1)))
struct CLIWatchTests {
    @Test func debounce() {
        let clock = ContinuousClock()
        let t0 = clock.now
        var d = Debouncer(delay: .milliseconds(200))
        #expect(!d.isDue(at: t0) && d.waitTime(at: t0) == nil)
        d.changed(at: t0)
        #expect(!d.isDue(at: t0 + .milliseconds(150)))
        #expect(d.waitTime(at: t0 + .milliseconds(150)) == .milliseconds(50))
        d.changed(at: t0 + .milliseconds(150))  // a second save restarts the quiet period
        #expect(!d.isDue(at: t0 + .milliseconds(300)))
        #expect(d.isDue(at: t0 + .milliseconds(350)))
        d.startRun()
        #expect(!d.isDue(at: t0 + .seconds(10)))
        d.changed(at: t0 + .milliseconds(400))  // ignored while running
        #expect(d.waitTime(at: t0 + .seconds(10)) == nil)
        d.finishRun()
        #expect(!d.isDue(at: t0 + .seconds(10)))
        d.changed(at: t0 + .seconds(11))
        #expect(d.isDue(at: t0 + .seconds(11) + .milliseconds(200)))
    }

    func watcherSeesSave(forcePolling: Bool) throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let watcher = FileWatcher(directory: wb.url("lessons/01-echo"), forcePolling: forcePolling)
        #expect(watcher.usesInotify == !forcePolling)
        #expect(watcher.waitForChanges(timeout: .milliseconds(50)).changed == [])
        usleep(20_000)
        try wb.write("lessons/01-echo/main.swift", "// saved\n")
        try wb.write("lessons/01-echo/.main.swift.swp", "x")
        var seen: [String] = []
        for _ in 0..<10 where seen.isEmpty { seen = watcher.waitForChanges(timeout: .milliseconds(600)).changed }
        #expect(seen.contains("main.swift"))
        #expect(!seen.contains(".main.swift.swp"))
    }

    @Test func inotifyWatcher() throws { try watcherSeesSave(forcePolling: false) }
    @Test func pollingWatcher() throws { try watcherSeesSave(forcePolling: true) }

    @Test func processRunnerDrainsLargeOutput() async throws {
        // 1 MiB on stdout and 200 KiB on stderr: far beyond a pipe's 64 KiB buffer.
        let out = try await ProcessRunner.run("/bin/sh", ["-c", "head -c 1048576 /dev/zero; head -c 204800 /dev/zero >&2"], timeout: .seconds(20))
        #expect(out.status == 0 && !out.timedOut)
        #expect(out.stdout.count == 1_048_576 && out.stderr.count == 204_800)
    }

    @Test func processRunnerTimeBound() async throws {
        let start = ContinuousClock.now
        let out = try await ProcessRunner.run("/bin/sh", ["-c", "sleep 30"], timeout: .milliseconds(300))
        #expect(out.timedOut)
        #expect(ContinuousClock.now - start < .seconds(5))
        await #expect(throws: (any Error).self) { try await ProcessRunner.run("/nonexistent/prog", [], timeout: .seconds(1)) }
    }
}

/// Counts gradings; the first one can be made slow.
final class GradeCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
    var count: Int { lock.lock(); defer { lock.unlock() }; return n }
}

@Suite("CLI: watch loop", .timeLimit(.minutes(1)))
struct CLIWatchLoopTests {
    /// Waits until `condition` holds, for at most `seconds`; records a failure when it never does.
    func waitUntil(
        _ what: String, _ condition: () -> Bool, seconds: Double = 10,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !condition(), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        #expect(condition(), "waited \(seconds) s for \(what)", sourceLocation: sourceLocation)
    }

    @Test(arguments: [false, true])
    func rechecksOnSaveAndIgnoresSavesDuringARun(poll: Bool) async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let counter = GradeCounter()
        let savedDuringRun = GradeCounter()  // 1 once the test has saved during the first check
        let grader = ScriptLessonGrader { script, _, _, _, onResult in
            let n = counter.next()
            if n == 1 {
                // The first check lasts until the test has saved the file (10 s at most): a
                // fixed delay here was too short on a loaded machine, and the save came after.
                let deadline = ContinuousClock.now + .seconds(10)
                while savedDuringRun.count == 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
                try? await Task.sleep(for: .milliseconds(100))  // and the watcher has seen the save
            }
            let check = script.checks[0]
            let r = CheckResult(
                name: check.name, status: .fail, points: 0, maxPoints: check.points, message: "no", transcript: "",
                hint: nil, location: check.location.description, index: 1, duration: .zero)
            onResult(r)
            return [r]
        }
        let console = Console.capture()
        let builder = try wb.fakeSwift()
        let watch = Task {
            await runCLI(
                ["watch", "2"] + (poll ? ["--poll"] : []), in: wb.root, grader: grader, builder: builder,
                watchRunLimit: 2, console: console)
        }
        // A save during the first (slow) check is ignored…
        await waitUntil("the first check") { counter.count == 1 }
        try wb.write("lessons/02-timeouts/main.swift", "// saved during the run\n")
        _ = savedDuringRun.next()
        await waitUntil("the watch loop to be waiting") { console.output.contains("Watching…") }
        try await Task.sleep(for: .milliseconds(1200))
        #expect(counter.count == 1)
        // …a save afterwards triggers exactly one check, even when saved twice in a row.
        try wb.write("lessons/02-timeouts/main.swift", "// saved\n")
        try wb.write("lessons/02-timeouts/main.swift", "// saved again\n")
        let result = await watch.value
        #expect(result.status == 0)
        #expect(counter.count == 2, "\(console.output)")
        #expect(console.output.contains("Watching lessons/02-timeouts/ (\(poll ? "polling every 500 ms" : "inotify"))"))
        #expect(console.output.contains("── changed: main.swift · "))
        #expect(console.output.components(separatedBy: "Lesson 2 · Idle timeouts").count == 3)
        #expect(!console.output.contains("q quits"))  // stdin is not a terminal
    }
}
