@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
import Glibc
@testable import NetlabCommandLine
@testable import ProcessSupervision
import Testing
@testable import Workbook
#if canImport(Glibc)
#endif

/// Nothing netlab starts outlives it: not a daemon that left the process group with setsid,
/// not a program when netlab gets SIGHUP or is killed outright, not a build when `run` is
/// interrupted.
@Suite("Supervision: no process outlives netlab", .timeLimit(.minutes(2)))
struct SupervisionTests {
    @Test(
        "a child that calls setsid is stopped with the program at the end of a check, orphaned or not",
        arguments: ["orphan", "child"])
    func setsidChildStopped(detach: String) async throws {
        let r = try await runOne(
            """
            start --listen {listen} --detach \(detach)
            check "echoes"
              expect server log /detached child/ within 2s
              connect a
              send a "hi\\n"
              expect a "hi\\n" within 2s
            """)
        expectPass(r)
        let child = try #require(detachedChild(in: r.transcript), "\(r.transcript)")
        #expect(await processIsGone(child, within: .seconds(3)), "the setsid child \(child) still runs")
        if ProcessTree.entry(child).map({ !$0.isZombie }) == true { kill(child, SIGKILL) }
    }

    @Test("a setsid child is stopped when the program exits on its own")
    func setsidChildStoppedAfterExit() async throws {
        // The child says its pid once it is in a session of its own; the program exits a moment later.
        let script = "setsid sh -c 'echo \"detached child $$\"; exec sleep 300' & sleep 1"
        let p = try ServerProcess.start(ProgramLaunch(executable: "/bin/sh", arguments: ["-c", script]), arguments: [])
        _ = await p.waitExit(timeout: .seconds(5))
        await p.waitOutputClosed(until: .now + .seconds(2))
        let child = try #require(detachedChild(in: p.lines.map(\.text).joined(separator: "\n")))
        #expect(await processIsGone(child, within: .seconds(3)), "the setsid sleep \(child) still runs")
        if ProcessTree.entry(child).map({ !$0.isZombie }) == true { kill(child, SIGKILL) }
    }

    @Test("the spawner gives children a parent-death signal: they run until killed, not until a thread ends")
    func childrenOutliveIdleThreads() async throws {
        let p = try ServerProcess.start(
            ProgramLaunch(executable: "/bin/sh", arguments: ["-c", "echo 'netlab: listening on 127.0.0.1:1'; exec sleep 300"]),
            arguments: [])
        #expect(await p.waitReady(timeout: .seconds(5)) == .ready("127.0.0.1:1"))
        let status = try String(contentsOfFile: "/proc/\(p.pid)/status", encoding: .utf8)
        // Dispatch retires idle worker threads after a few seconds; the child must still run.
        try await Task.sleep(for: .seconds(6))
        #expect(p.exitStatus == nil, "the program died with the thread that started it")
        #expect(status.contains("PPid:\t\(getpid())"))
        await p.stop(grace: .seconds(1))
    }

    /// netlab checking a program that has detached a `setsid` child, mid-check: netlab, the
    /// program and the child. The caller ends netlab and owns the cleanup.
    func netlabHoldingADetachedChild(_ wb: TempWorkbook) async throws -> (netlab: Process, program: pid_t, detached: pid_t) {
        try wb.write(
            "lessons/01-echo/checks.netlab",
            """
            lesson "Echo server"
            start --listen {listen} --detach orphan

            check "holds"
              connect a
              sleep 30s
            """)
        let netlab = try startNetlab(["check", "1", "--cmd", try testServerPath()], in: wb.root)
        let program = await waitForDescendant(of: netlab.processIdentifier, within: .seconds(30)) {
            $0.first?.hasSuffix("netlab-testserver") == true && !$0.contains("session")
        }
        let detached = await waitForDescendant(of: netlab.processIdentifier, within: .seconds(10)) { $0.contains("session") }
        guard let program, let detached else {
            kill(netlab.processIdentifier, SIGKILL)
            throw CheckError(
                message: "the program (\(String(describing: program))) or its setsid child (\(String(describing: detached))) never started")
        }
        return (netlab, program, detached)
    }

    /// Both gone within 3 s (a zombie counts as gone); whatever is not is killed.
    func expectGone(_ pids: [pid_t], _ what: String) async {
        for pid in pids {
            #expect(await processIsGone(pid, within: .seconds(3)), "\(what) \(pid) outlived netlab")
            if ProcessTree.entry(pid).map({ !$0.isZombie }) == true { kill(pid, SIGKILL) }
        }
    }

    @Test("SIGHUP to netlab check stops the program and what it detached, and exits with 129")
    func hangupStopsTheProgram() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let (netlab, program, detached) = try await netlabHoldingADetachedChild(wb)
        defer { if netlab.isRunning { kill(netlab.processIdentifier, SIGKILL) } }
        kill(netlab.processIdentifier, SIGHUP)
        #expect(await waitForExit(netlab, within: .seconds(10)))
        #expect(netlab.terminationStatus == 129)
        await expectGone([program, detached], "the program or its setsid child")
    }

    @Test(
        "an orphan netlab adopted is gone once its program stopped: one that exited on its own (no zombie is left), one without the token",
        arguments: ["brief", "bare"])
    func adoptedOrphanReaped(detach: String) async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try wb.write(
            "lessons/01-echo/checks.netlab",
            """
            lesson "Echo server"
            start --listen {listen}

            check "leaves a daemon that exits"
              start --listen {listen} --detach \(detach)
              expect server log /detached child/ within 2s
              sleep 500ms

            check "holds"
              connect a
              sleep 30s
            """)
        let netlab = try startNetlab(["check", "1", "--verbose", "--cmd", try testServerPath()], in: wb.root)
        defer { if netlab.isRunning { kill(netlab.processIdentifier, SIGKILL) } }
        // With --verbose, the first check's transcript is printed when it ends: it names the daemon.
        var daemon: pid_t?
        let deadline = ContinuousClock.now + .seconds(30)
        while daemon == nil, ContinuousClock.now < deadline {
            daemon = wb.read(".netlab-test-output").flatMap(detachedChild(in:))
            try await Task.sleep(for: .milliseconds(20))
        }
        let daemonPID = try #require(daemon, "the first check never ended")
        // The second check runs once the first has stopped its program: the daemon has exited
        // by then, and it was netlab's child.
        let second = await waitForDescendant(of: netlab.processIdentifier, within: .seconds(30)) {
            $0.first?.hasSuffix("netlab-testserver") == true && !$0.contains("--detach") && !$0.contains("session")
        }
        #expect(second != nil, "the second check never started")
        try await Task.sleep(for: .milliseconds(300))
        #expect(ProcessTree.entry(daemonPID) == nil, "the daemon is still there: \(String(describing: ProcessTree.entry(daemonPID)))")
        if ProcessTree.entry(daemonPID).map({ !$0.isZombie }) == true { kill(daemonPID, SIGKILL) }
        kill(netlab.processIdentifier, SIGTERM)
        #expect(await waitForExit(netlab, within: .seconds(10)))
        #expect(netlab.terminationStatus == 143)
    }

    @Test("netlab killed outright (a crash) takes the program along (the kernel's parent-death signal), and what it detached (the watchdog)")
    func crashKillsTheProgram() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let (netlab, program, detached) = try await netlabHoldingADetachedChild(wb)
        defer { if netlab.isRunning { kill(netlab.processIdentifier, SIGKILL) } }
        kill(netlab.processIdentifier, SIGKILL)
        #expect(await waitForExit(netlab, within: .seconds(10)))
        await expectGone([program, detached], "the program or its setsid child")
    }

    @Test("Ctrl-C during netlab run's build stops the build, and netlab exits with 130")
    func interruptedBuildStops() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        // A `swift` that records its pid and builds forever.
        let pidFile = wb.url(".swift-pid")
        try writeExecutable("#!/bin/sh\necho $$ > \(pidFile.path)\nexec sleep 300\n", to: wb.url(".slow-swift").path)
        let netlab = try startNetlab(["run", "1"], in: wb.root, environment: ["NETLAB_SWIFT": wb.url(".slow-swift").path])
        defer { if netlab.isRunning { kill(netlab.processIdentifier, SIGKILL) } }
        var swiftPID: pid_t?
        let deadline = ContinuousClock.now + .seconds(30)
        while swiftPID == nil, ContinuousClock.now < deadline {
            if let text = wb.read(".swift-pid"), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                commandLine(of: pid).first == "sleep"
            {
                swiftPID = pid
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let build = try #require(swiftPID, "the build never started")
        kill(netlab.processIdentifier, SIGINT)
        #expect(await waitForExit(netlab, within: .seconds(10)))
        #expect(netlab.terminationStatus == 130)
        #expect(await processIsGone(build, within: .seconds(3)), "the build outlived netlab")
        if ProcessTree.entry(build).map({ !$0.isZombie }) == true { kill(build, SIGKILL) }
    }
}
