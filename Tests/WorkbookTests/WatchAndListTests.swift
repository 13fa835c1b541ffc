@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
import Glibc
@testable import NetlabCommandLine
import Testing
@testable import Workbook
#if canImport(Glibc)
#endif

/// A clock that moves on a minute each time it is read.
private final class Minutes: @unchecked Sendable {
    private let lock = NSLock()
    private var date = Date(timeIntervalSince1970: 1_800_000_000)
    func next() -> Date {
        lock.lock(); defer { lock.unlock() }
        date = date.addingTimeInterval(60)
        return date
    }
}

/// Runs netlab like `runCLI`, with a clock that moves and, for `watch`, keys from `input`.
private func run(
    _ args: [String], in wb: TempWorkbook, grader: any LessonGrader = fakeGrader(),
    clock: Minutes, watchRunLimit: Int? = nil, input: Int32? = nil
) async throws -> (status: Int32, out: String) {
    let console = Console.capture()
    var cli = NetlabCLI(
        console: console, environment: ["USER": "ada"], workingDirectory: wb.root, grader: grader,
        makeBuilder: try wb.fakeSwift(), now: { clock.next() })
    cli.watchRunLimit = watchRunLimit
    if let input {
        cli.watchInput = input
        cli.watchInteractive = true
    }
    let status = await cli.run(args)
    return (status, console.output + console.errors)
}

@Suite("netlab list tells the truth")
struct ListTruthTests {
    @Test("passed, then reset and a failing check: passed earlier, failing now, with both dates")
    func passedEarlierFailingNow() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let clock = Minutes()
        let pass = try await run(["check", "1"], in: wb, clock: clock)
        #expect(pass.status == 0, "\(pass.out)")
        let passedAt = try #require(StateStore(root: wb.root).load()["01-echo"].lastPassedAt)
        try wb.write("lessons/01-echo/main.swift", "// my solution\n")
        let reset = try await run(["reset", "1"], in: wb, clock: clock)
        #expect(reset.status == 0, "\(reset.out)")
        let fail = try await run(["check", "1"], in: wb, grader: fakeGrader { $0 == "echoes one line" ? .pass : .fail }, clock: clock)
        #expect(fail.status == 1)
        let failedAt = try #require(StateStore(root: wb.root).load()["01-echo"].lastOwnCheck?.at)
        #expect(failedAt > passedAt)
        let list = try await run(["list"], in: wb, clock: clock)
        #expect(
            list.out.contains(
                "✗ 01  Echo server    passed earlier, failing now (1/3 points): passed \(NetlabCLI.listDate(passedAt)),"
                    + " failing since \(NetlabCLI.listDate(failedAt))"), "\(list.out)")
        #expect(list.out.contains("netlab — 2 lessons · 0 passed · 1 passed earlier, failing now"))
        #expect(list.out.contains("next: lesson 1"))
        // The solution may still be shown: the lesson did pass once.
        #expect(try await run(["solution", "1"], in: wb, clock: clock).status == 0)
        // Passing again: passed.
        _ = try await run(["check", "1"], in: wb, clock: clock)
        let again = try await run(["list"], in: wb, clock: clock)
        #expect(again.out.contains("✓ 01  Echo server    passed"), "\(again.out)")
        #expect(!again.out.contains("passed earlier"))
    }

    @Test func listDateIsMinutesInLocalTime() {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm"
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(NetlabCLI.listDate(date) == f.string(from: date))
        #expect(NetlabCLI.listDate(date).count == 16)
    }
}

@Suite("netlab watch moves on", .serialized)
struct WatchMovesOnTests {
    @Test("without a terminal: says which lesson is next and keeps watching the one that passed")
    func notInteractive() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let r = try await run(["watch", "1"], in: wb, clock: Minutes(), watchRunLimit: 1)
        #expect(r.status == 0)
        #expect(r.out.contains("Lesson 1 passed. Next: lesson 2 (Idle timeouts): netlab watch 2 watches it. Still watching lesson 1."), "\(r.out)")
        #expect(!r.out.contains("Press Enter"))
        #expect(!r.out.contains("Watching lessons/02-timeouts/"))
    }

    @Test("on a terminal: Enter after a pass goes on to the next lesson and checks it")
    func enterGoesOn() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        // The learner presses Enter (the key arrives once lesson 1 has passed: watch reads keys
        // only between checks).
        #expect(write(fds[1], "\n", 1) == 1)
        close(fds[1])
        let r = try await run(["watch", "1"], in: wb, clock: Minutes(), watchRunLimit: 2, input: fds[0])
        #expect(r.status == 0, "\(r.out)")
        #expect(r.out.contains("Lesson 1 passed. Press Enter to go on to lesson 2 (Idle timeouts), q to quit."), "\(r.out)")
        #expect(r.out.contains("Lesson 2 · Idle timeouts\nEdit lessons/02-timeouts/main.swift; read it with netlab lesson 2"), "\(r.out)")
        #expect(r.out.contains("Watching lessons/02-timeouts/"))
        // Lesson 2 was checked (the second run) and recorded.
        #expect(StateStore(root: wb.root).load()["02-timeouts"].lastOwnCheck != nil)
    }

    @Test("on a terminal: q after a pass quits")
    func qQuits() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        #expect(write(fds[1], "q", 1) == 1)
        close(fds[1])
        let r = try await run(["watch", "1"], in: wb, clock: Minutes(), watchRunLimit: 5, input: fds[0])
        #expect(r.status == 0)
        #expect(r.out.contains("Stopped watching."))
        #expect(!r.out.contains("Watching lessons/02-timeouts/"))
    }
}
