@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// What a learner sees when a lesson program has a common mistake: the failing check as `netlab
/// check` prints it, compared with a reviewed file in `Golden/`, so that any change in it is a
/// deliberate one. Regenerate with NETLAB_UPDATE_GOLDEN=1 and review the diff.
///
/// Times, ports and paths are normalised. The server's log and the upstreams' lines arrive on
/// their own threads, so their place between the checker's own lines can vary by a few
/// microseconds: they are compared as a sorted list below the checker's lines, which keep
/// their order. A client's "connection ended" line is left out: whether it lands before the
/// check's end is a race.
@Suite("Lessons: golden failures", .serialized, .timeLimit(.minutes(5)))
struct GoldenFailureTests {
    static let cases: [(lesson: String, mistake: String)] = [
        ("01-accept-loop", "reset-ends-server"),
        ("02-task-per-connection", "read-in-accept-loop"),
        ("03-timeouts", "timeout-ends-server"),
        ("04-proxy", "no-half-close"),
        ("05-sni-parse", "first-extension-only"),
        ("07-tls", "no-deadline"),
    ]

    @Test(arguments: cases.map { "\($0.lesson)/\($0.mistake)" })
    func failureReadsAsReviewed(_ id: String) async throws {
        let mistake = try #require(Mistake.all.first { "\($0.lesson)/\($0.name)" == id }, "no mistake \(id)")
        let lesson = try #require(LessonUnderTest.all.first { $0.slug == mistake.lesson })
        let program = ProgramLaunch(
            executable: try builtProgram("mistakes\(lesson.number)"),
            environment: ["NETLAB_MISTAKE": mistake.name])
        let result = try #require(try await grade(lesson, program: program, only: mistake.failingCheck).first)
        let printed = CheckPrinter(style: .plain, verbose: false).render(result)
        try expectGolden(id.replacingOccurrences(of: "/", with: "--"), stableOrder(printed))
    }

    /// The checker's own lines in order; the lines other threads report, sorted, after them.
    /// Those that came after the server was stopped (the check's clean-up) are left out: what a
    /// program does while it is being stopped varies from run to run.
    func stableOrder(_ text: String) -> String {
        func stamp(_ line: String) -> Double? {
            guard let plus = line.firstIndex(of: "+"), let s = line[line.index(after: plus)...].split(separator: "s").first else { return nil }
            return Double(s)
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let stopped = lines.first { $0.contains("[netlab] stopped the server") }.flatMap(stamp) ?? .infinity
        var ordered: [String] = []
        var concurrent: [String] = []
        for line in lines {
            // When a client's connection ends relative to the failure that ends the check is a
            // race the check does not decide; the failure's message says so when it matters.
            if line.contains("] connection ended:") { continue }
            let fromElsewhere = line.contains("[server") || line.contains("[upstream ")
            guard fromElsewhere else { ordered.append(TranscriptNormaliser.normalised(line)); continue }
            if let t = stamp(line), t >= stopped { continue }
            concurrent.append(TranscriptNormaliser.normalised(line).trimmingCharacters(in: .whitespaces))
        }
        return ordered.joined(separator: "\n") + "\n--- server and upstream lines, sorted:\n" + concurrent.sorted().joined(separator: "\n") + "\n"
    }

    func expectGolden(_ name: String, _ actual: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).txt")
        if ProcessInfo.processInfo.environment["NETLAB_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "Golden/\(name).txt differs; got:\n\(actual)", sourceLocation: sourceLocation)
    }
}
