@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
import Testing

/// `limit fds N` is set in the child before its exec, so it reaches whatever the program
/// starts: a `--cmd` that is a shell running the real program as its child is limited too.
@Suite("Descriptor limit", .timeLimit(.minutes(1)))
struct DescriptorLimitTests {
    @Test("a child that a wrapper shell forks has the limit, soft and hard")
    func wrapperChild() async throws {
        // The subshell is a forked child of the shell, as a program run without `exec` is.
        let launch = ProgramLaunch(
            executable: "/bin/sh",
            arguments: ["-c", "(echo \"soft $(ulimit -Sn) hard $(ulimit -Hn)\" >&2)"])
        let process = try ServerProcess.start(launch, arguments: [], descriptorLimit: 40)
        let deadline = ContinuousClock.now + .seconds(10)
        while !(process.exitStatus != nil && process.outputClosed), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let lines = process.lines.filter { $0.stream == .stderr }.map(\.text)
        #expect(lines == ["soft 40 hard 40"])
    }
}
