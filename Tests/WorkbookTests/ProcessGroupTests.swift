import CNetShim
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

@Suite("Process groups: no signal after the reap", .timeLimit(.minutes(1)))
struct ProcessGroupTests {
    @Test("waitForExit kills what the leader left in its group, reaps it, and later signals are not sent")
    func leftoversKilledAndNoLateSignal() async throws {
        var fds: [Int32] = [-1, -1]
        #expect(cnet_pipe_cloexec(&fds) == 0)
        // The leader starts a long sleep in its own group, prints the sleep's pid, and exits.
        let leader = try ProcessRunner.spawn(
            ["/bin/sh", "-c", "sleep 30 & echo $!; exit 3"], stdinNull: true,
            stdout: fds[1], stderr: nil, newProcessGroup: true)
        close(fds[1])
        let group = ProcessGroup(leader: leader)
        let status = await Task.detached { group.waitForExit() }.value
        #expect((status >> 8) & 0xff == 3, "the leader's own exit status comes back")

        let readFD = fds[0]
        // Read to EOF (the sleep, which holds the pipe too, is gone by then), off the pool.
        let text = await offPool { () -> String in
            var text = ""
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                text += String(decoding: buffer[..<n], as: UTF8.self)
            }
            close(readFD)
            return text
        }
        let sleeper = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(sleeper > 0)
        #expect(await isGone(sleeper, within: .seconds(5)), "the sleep left in the group was killed")

        #expect(!group.signal(SIGTERM), "no group signal once the leader is reaped: its pid may be someone else's now")
    }

    @Test("without killingGroup, the rest of the group is left alone (a finished build's tools)")
    func groupLeftAloneOnRequest() async throws {
        var fds: [Int32] = [-1, -1]
        #expect(cnet_pipe_cloexec(&fds) == 0)
        let leader = try ProcessRunner.spawn(
            ["/bin/sh", "-c", "sleep 30 & echo $!; exit 0"], stdinNull: true,
            stdout: fds[1], stderr: nil, newProcessGroup: true)
        close(fds[1])
        let group = ProcessGroup(leader: leader)
        _ = await Task.detached { group.waitForExit(killingGroup: { false }) }.value
        let readFD = fds[0]
        let line = await offPool { () -> String in
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            close(readFD)
            return String(decoding: buffer[..<max(n, 0)], as: UTF8.self)
        }
        let sleeper = pid_t(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(sleeper > 0)
        #expect(!(await isGone(sleeper, within: .zero)), "the sleep still runs")
        if sleeper > 0 { kill(sleeper, SIGKILL) }  // the group is reaped: this pid is only the sleep
    }

    /// True when `pid` no longer runs (absent, or a zombie nobody reaped) by `within`.
    private func isGone(_ pid: pid_t, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        repeat {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            try? await Task.sleep(for: .milliseconds(10))
        } while ContinuousClock.now < deadline
        return false
    }
}
