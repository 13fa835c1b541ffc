@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// The process supervisor against programs that misbehave: each gets a verdict within its bound.
@Suite("Supervisor", .timeLimit(.minutes(1)))
struct SupervisorTests {
    func sh(_ script: String) throws -> ServerProcess {
        try ServerProcess.start(ProgramLaunch(executable: "/bin/sh", arguments: ["-c", script]), arguments: [])
    }

    @Test("a ready line is found, stderr lines are timestamped, SIGTERM stops the program")
    func ready() async throws {
        let p = try sh("echo 'one' >&2; echo 'netlab: listening on 127.0.0.1:4242'; echo two >&2; exec sleep 100")
        #expect(await p.waitReady(timeout: .seconds(5)) == .ready("127.0.0.1:4242"))
        try await Task.sleep(for: .milliseconds(100))
        let stderr = p.lines.filter { $0.stream == .stderr }
        #expect(stderr.map(\.text) == ["one", "two"])
        #expect(stderr.allSatisfy { $0.time >= p.started })
        let (status, killed) = await p.stop(grace: .seconds(2))
        #expect(status == .signaled(SIGTERM))
        #expect(!killed)
    }

    @Test("a program that writes 1 MiB to stderr never blocks; only the last 256 KiB are kept")
    func flood() async throws {
        let started = ContinuousClock.now
        let p = try sh("head -c 1048576 /dev/zero | tr '\\0' 'x' | fold -w 99 >&2; echo 'netlab: listening on 127.0.0.1:1'; exec sleep 100")
        #expect(await p.waitReady(timeout: .seconds(10)) == .ready("127.0.0.1:1"))
        // stdout and stderr are read by different threads: stop, which waits for both pipes to
        // end, before counting.
        await p.stop(grace: .seconds(1))
        #expect(p.outputClosed)
        #expect(p.stderrByteCount >= 1_048_576)
        let kept = p.lines.reduce(0) { $0 + $1.text.utf8.count + 1 }
        #expect(kept <= ServerProcess.keptOutputLimit)
        #expect(p.dropped.bytes > 700_000)
        #expect(p.dropped.lines > 7000)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("limit fds: the program runs with the descriptor limit it was given, soft and hard")
    func descriptorLimit() async throws {
        // The limit is set from outside right after the spawn; the script reads it after a pause.
        let p = try ServerProcess.start(
            ProgramLaunch(
                executable: "/bin/sh",
                arguments: ["-c", "sleep 1; echo soft $(ulimit -Sn) hard $(ulimit -Hn) >&2; echo 'netlab: listening on 127.0.0.1:1'; exec sleep 100"]),
            arguments: [], descriptorLimit: 40)
        #expect(await p.waitReady(timeout: .seconds(10)) == .ready("127.0.0.1:1"))
        #expect(p.lines.filter { $0.stream == .stderr }.map(\.text) == ["soft 40 hard 40"])
        await p.stop()
    }

    @Test("a program that ignores SIGTERM gets SIGKILL after the grace period")
    func ignoresTerm() async throws {
        let p = try sh("trap '' TERM; echo 'netlab: listening on 127.0.0.1:1'; while :; do sleep 1; done")
        #expect(await p.waitReady(timeout: .seconds(5)) == .ready("127.0.0.1:1"))
        let started = ContinuousClock.now
        let (status, killed) = await p.stop(grace: .milliseconds(300))
        #expect(killed)
        #expect(status == .signaled(SIGKILL))
        #expect(ContinuousClock.now - started < .seconds(10))  // bounded: the loop never ends by itself
    }

    @Test("a crash is reported with its signal")
    func crash() async throws {
        let p = try sh("echo 'netlab: listening on 127.0.0.1:1'; echo 'about to crash' >&2; kill -SEGV $$")
        let status = await p.waitExit(timeout: .seconds(5))
        #expect(status == .signaled(SIGSEGV))
        #expect(status?.description == "was killed by SIGSEGV")
        await p.stop()
        #expect(p.lastStderrLines(1) == ["about to crash"])
    }

    @Test("no ready line: the wait ends at its bound")
    func neverReady() async throws {
        let p = try sh("echo 'listening, honest' ; exec sleep 100")
        let started = ContinuousClock.now
        #expect(await p.waitReady(timeout: .milliseconds(300)) == .timedOut)
        // Bounded, not hung: well under the 10 s a busy machine might add, far under sleep 100.
        #expect(ContinuousClock.now - started < .seconds(10))
        await p.stop(grace: .seconds(1))
    }

    @Test("a program that exits before its ready line: the wait ends with its status and its log")
    func exitsEarly() async throws {
        let p = try sh("echo 'bad flag --x' >&2; exit 2")
        #expect(await p.waitReady(timeout: .seconds(5)) == .exited(.exited(2)))
        #expect(p.lastStderrLines(5) == ["bad flag --x"])
        #expect(p.metrics() == nil)
    }

    @Test("a program that does not exist cannot start")
    func missing() {
        #expect(throws: LaunchError.self) {
            _ = try ServerProcess.start(ProgramLaunch(executable: "/nonexistent/netlab-x"), arguments: [])
        }
    }

    @Test("metrics come from /proc: descriptors, resident memory, CPU time")
    func metrics() async throws {
        let p = try sh(
            "exec 7</dev/null 8</dev/null; echo 'netlab: listening on 127.0.0.1:1'; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 100")
        #expect(await p.waitReady(timeout: .seconds(5)) == .ready("127.0.0.1:1"))
        let m = try #require(p.metrics())
        #expect(m.fds >= 5)
        #expect(m.rss > 0)
        #expect(m.cpu >= .zero)
        await p.stop(grace: .seconds(1))
        #expect(p.metrics() == nil)
    }

    @Test("children of the program die with it (the whole process group is signalled)")
    func group() async throws {
        let p = try sh("sleep 100 & echo \"child $!\" >&2; echo 'netlab: listening on 127.0.0.1:1'; wait")
        #expect(await p.waitReady(timeout: .seconds(5)) == .ready("127.0.0.1:1"))
        try await Task.sleep(for: .milliseconds(100))
        let line = try #require(p.lastStderrLines(1).first)
        let child = try #require(Int32(line.dropFirst("child ".count)))
        await p.stop(grace: .seconds(1))
        try await Task.sleep(for: .milliseconds(100))
        // Gone, or a zombie waiting for init to reap it: either way it no longer runs.
        let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
        let state = stat.lastIndex(of: ")").map { stat[stat.index($0, offsetBy: 2)] }
        #expect(stat.isEmpty || state == "Z", "\(stat)")
    }
}
