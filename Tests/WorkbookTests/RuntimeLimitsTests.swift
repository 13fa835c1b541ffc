@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// Limits that only a running check can see: named data kept across a loop, and the pieces of
/// a fixture whose size is known only when it is read (issue 10).
@Suite("Runtime limits", .serialized, .timeLimit(.minutes(1)))
struct RuntimeLimitsTests {
    @Test("named random data a check keeps is bounded: a loop cannot name data without end")
    func namedDataIsBounded() async throws {
        // The server closes at once, so each send ends early (`until closed`) but its data is
        // still kept under its name: 4 × 256 MiB fit in 1 GiB, the fifth does not.
        let r = try await runOne(
            """
            start --listen {listen} --mode close
            check "keeps too much"
              repeat 5 as i
                connect a
                send a random 256MiB as x{i} within 5s until closed
              end
            """)
        expectFail(r, "client a cannot send random data `x4`: the check would keep 1280 MiB of named data; a check may keep at most 1024 MiB")
    }

    @Test("a fixture cut into more than 1,000,000 pieces fails the step before sending")
    func fixturePieces() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-pieces-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("fixtures"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(count: 1_000_001).write(to: dir.appendingPathComponent("fixtures/zeros.bin"))
        let script = try parseOK(
            """
            start --listen {listen} --mode echo
            check "pieces"
              connect a
              send a file "fixtures/zeros.bin" in chunks of 1
            """)
        let runner = CheckRunner(
            script: script, lessonDirectory: dir, program: try ProgramLaunch(executable: testServerPath()),
            options: RunOptions(stopGrace: .milliseconds(500)))
        let result = try #require(await runner.run().first)
        expectFail(result, "client a cannot send file \"fixtures/zeros.bin\" in 1000001 pieces; a send may have at most 1000000 pieces")
    }
}
