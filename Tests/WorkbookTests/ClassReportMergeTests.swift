import CheckResults
import Foundation
@testable import NetlabCommandLine
import ProcessSupervision
import Testing
@testable import Workbook

/// One lesson's results for `student`, with checks named and passed or failed as given, written
/// at `time` (`2026-12-07T10:00:00Z`).
private func results(
    _ student: String?, lesson: Int, _ checks: [(String, String)], at time: String?, title: String = "Timeouts"
) throws -> Data {
    let tests = checks.enumerated().map { i, check in
        ResultsJSON.Test(
            name: check.0, status: check.1, message: check.1 == "pass" ? nil : "failed", output: nil, testCode: "", taskID: i + 1,
            points: check.1 == "pass" ? 1 : 0, maxPoints: 1)
    }
    let doc = ResultsJSON.ResultsDocument(
        status: tests.allSatisfy { $0.status == "pass" } ? "pass" : "fail", message: nil, tests: tests,
        points: tests.map(\.points).reduce(0, +), maxPoints: tests.count,
        lesson: .init(number: lesson, slug: String(format: "%02d-l", lesson), title: title), student: student, generatedAt: time)
    return try ResultsJSON.encode(doc)
}

@Suite("Class report: one row per student, and where the class is stuck")
struct ClassReportMergeTests {
    @Test("a student's files merge: the latest attempt per lesson counts, with the number of attempts and when")
    func merging() throws {
        let files: [(name: String, data: Data)] = [
            ("alice-1.json", try results("alice", lesson: 1, [("a", "fail")], at: "2026-12-07T10:00:00Z")),
            ("alice-3.json", try results("alice", lesson: 1, [("a", "pass")], at: "2026-12-07T10:30:00Z")),
            // Handed in last but written earlier: it does not replace the 10:30 pass.
            ("alice-2.json", try results("alice", lesson: 1, [("a", "fail")], at: "2026-12-07T10:10:00Z")),
            ("alice-4.json", try results("alice", lesson: 2, [("b", "fail")], at: "2026-12-07T10:40:00Z")),
            ("bob.json", try results("bob", lesson: 1, [("a", "fail")], at: "2026-12-07T09:00:00Z")),
            ("nobody.json", try results(nil, lesson: 1, [("a", "pass")], at: nil)),
        ]
        let report = ClassReport(files: files)
        #expect(report.rows.map(\.student) == ["alice", "bob", "nobody"])
        let alice = report.rows[0]
        #expect(alice.file == "alice-1.json, alice-3.json, alice-2.json, alice-4.json")
        #expect(alice.cells["01-l"]?.status == "pass" && alice.cells["01-l"]?.attempts == 3)
        #expect(alice.cells["01-l"]?.latest == "2026-12-07T10:30:00Z")
        #expect(alice.cells["02-l"]?.attempts == 1)
        #expect(alice.latest == "2026-12-07T10:40:00Z")
        #expect(alice.points == 1 && alice.maxPoints == 2)
        let text = report.renderText()
        #expect(text.contains("alice    ✓ 1/1 ×3  ✗ 0/1     1/2  2026-12-07 10:40"), "\(text)")
        #expect(text.contains("nobody      ✓ 1/1      –     1/1  –\n"), "\(text)")
        #expect(text.contains("passed        2/3    0/1"), "\(text)")
    }

    @Test("a file whose signature fails never merges into the name it claims")
    func badSignatureStaysApart() throws {
        let key = try ClassKey(hexText: String(repeating: "ab", count: 32))
        let good = try ResultsSignature.sign(try results("ada", lesson: 1, [("a", "fail")], at: "2026-12-07T10:00:00Z"), key: key)
        let forged = try ResultsSignature.sign(try results("ada", lesson: 1, [("a", "fail")], at: "2026-12-07T11:00:00Z"), key: key)
        let tampered = Data(String(decoding: forged, as: UTF8.self).replacingOccurrences(of: "\"fail\"", with: "\"pass\"").utf8)
        let report = ClassReport(files: [("ada.json", good), ("ada-2.json", tampered)], key: key)
        #expect(report.rows.map(\.student) == ["ada", "ada-2"])
        #expect(report.rows[0].cells["01-l"]?.status == "fail" && report.rows[0].cells["01-l"]?.attempts == 1)
        #expect(report.rows[0].signature == .verified)
        #expect(!report.rows[1].counted)
        // Merged rows take the weaker verdict: one unsigned file makes the row unsigned.
        let unsigned = try results("ada", lesson: 2, [("b", "pass")], at: "2026-12-07T12:00:00Z")
        let mixed = ClassReport(files: [("ada.json", good), ("ada-3.json", unsigned)], key: key)
        #expect(mixed.rows.map(\.signature) == [.unsigned])
    }

    @Test("per check: how many fail it, and the check most often failed first")
    func stuck() throws {
        let files: [(name: String, data: Data)] = [
            ("a.json", try results("a", lesson: 3, [("idle <close>", "fail"), ("busy", "fail"), ("logs", "pass")], at: "2026-12-07T10:00:00Z")),
            ("b.json", try results("b", lesson: 3, [("idle <close>", "pass"), ("busy", "fail"), ("logs", "fail")], at: "2026-12-07T10:00:00Z")),
            ("c.json", try results("c", lesson: 3, [("idle <close>", "pass"), ("busy", "fail"), ("logs", "pass")], at: "2026-12-07T10:00:00Z")),
            ("d.json", try results("d", lesson: 3, [("idle <close>", "pass"), ("busy", "pass"), ("logs", "pass")], at: "2026-12-07T10:00:00Z")),
            // An earlier attempt of d's that failed: only the latest counts.
            ("d-0.json", try results("d", lesson: 3, [("idle <close>", "fail"), ("busy", "fail"), ("logs", "fail")], at: "2026-12-07T09:00:00Z")),
            ("e.json", try results("e", lesson: 4, [("x", "pass")], at: "2026-12-07T10:00:00Z", title: "Proxy")),
        ]
        let report = ClassReport(files: files)
        let stuck = ClassStuck(report)
        #expect(stuck.lessons.count == 1)  // lesson 4: everyone passed
        let lesson = try #require(stuck.lessons.first)
        #expect(lesson.took == 4 && lesson.passed == 1 && lesson.errored == 0)
        #expect(
            lesson.checks == [
                .init(name: "busy", failing: 3, first: 2), .init(name: "idle <close>", failing: 1, first: 1),
                .init(name: "logs", failing: 1, first: 0),
            ])
        #expect(lesson.mostOftenFirst?.name == "busy")
        let text = report.renderText()
        #expect(text.contains("03  Timeouts: 1 of 4 passed"), "\(text)")
        #expect(text.contains("       3      2  busy"), "\(text)")
        #expect(text.contains("Most often the first failure: \"busy\" (2 of the 3 who have not passed)"), "\(text)")
        let html = report.renderHTML(generated: Date(timeIntervalSince1970: 0))
        #expect(html.contains("<h2>Where the class is stuck</h2>"))
        #expect(html.contains("<tr class=\"error\"><td class=\"check\">busy</td><td>3</td><td>2</td></tr>"))
        #expect(html.contains("<td class=\"check\">idle &lt;close&gt;</td>") && !html.contains("idle <close>"))
        #expect(html.contains("×2</span>"))  // d's two attempts
    }

    @Test("a lesson with more checks than any real one is skipped, not counted")
    func tooManyChecks() throws {
        let many = (0...ResultsValidation.testLimit).map { ("c\($0)", "fail") }
        let report = ClassReport(files: [("big.json", try results("x", lesson: 1, many, at: nil))])
        #expect(report.rows.isEmpty)
        #expect(report.problems == ["big.json: lesson 01-l holds 1001 checks (at most 1000)"])
    }

    @Test("identity: --student, then NETLAB_STUDENT, then git config user.name, then USER; a bad --student is refused")
    func identity() async throws {
        let env = ["NETLAB_STUDENT": "env-name", "USER": "unix"]
        var gitAsked = false
        let fromFlag = await StudentIdentity.resolve(
            flag: "Ada L", environment: env,
            gitUserName: {
                gitAsked = true; return "git"
            })
        #expect(fromFlag == StudentIdentity(name: "Ada L", source: "--student") && !gitAsked)
        #expect(await StudentIdentity.resolve(flag: nil, environment: env, gitUserName: { "git" })?.source == "NETLAB_STUDENT")
        let fromGit = await StudentIdentity.resolve(flag: nil, environment: ["USER": "unix"], gitUserName: { "Grace Hopper\n" })
        #expect(fromGit == StudentIdentity(name: "Grace Hopper", source: "git config user.name"))
        // A git name with control characters is not used: the next source is.
        let fallback = await StudentIdentity.resolve(flag: nil, environment: ["USER": "unix"], gitUserName: { "evil\u{1B}[2J" })
        #expect(fallback == StudentIdentity(name: "unix", source: "USER"))
        #expect(await StudentIdentity.resolve(flag: nil, environment: [:], gitUserName: { nil }) == nil)
        #expect(try StudentIdentity.flag("  ada ") == "ada")
        #expect(throws: UsageError.self) { try StudentIdentity.flag("   ") }
        #expect(throws: UsageError.self) { try StudentIdentity.flag("a\u{7}b") }
        #expect(throws: UsageError.self) { try StudentIdentity.flag(String(repeating: "x", count: 201)) }
        #expect(await StudentIdentity.gitUserName(in: URL(fileURLWithPath: "/nonexistent-dir")) == nil)
    }
}

@Suite("CLI: check records who the student is; report merges their files")
struct StudentIdentityCLITests {
    @Test("--student, NETLAB_STUDENT and the workbook's git user.name, said once; report merges the attempts")
    func throughTheCommandLine() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let flag = await runCLI(["check", "1", "--cmd", "x", "--json", "a1.json", "--student", "Ada L"], in: wb.root)
        #expect(flag.out.contains("Results: a1.json (JSON) for Ada L (from --student; --student NAME to change it)"), "\(flag.out)")
        #expect(flag.out.components(separatedBy: "Ada L").count == 2)  // said once
        let env = await runCLI(
            ["check", "1", "--cmd", "x", "--json", "a2.json"], in: wb.root, environment: ["NETLAB_STUDENT": "Ada L", "USER": "u"])
        #expect(env.out.contains("for Ada L (from NETLAB_STUDENT;"), "\(env.out)")
        // The workbook's own repository's name (a clone's), not the machine's global one.
        let initRepo = try ProcessRunner.runBlocking("git", ["-C", wb.root.path, "init", "-q"], timeout: .seconds(30))
        let setName = try ProcessRunner.runBlocking("git", ["-C", wb.root.path, "config", "user.name", "Grace H"], timeout: .seconds(30))
        #expect(initRepo.status == 0 && setName.status == 0)
        let git = await runCLI(["check", "2", "--cmd", "x", "--json", "g.json"], in: wb.root, environment: ["USER": "u"])
        #expect(git.out.contains("for Grace H (from git config user.name;"), "\(git.out)")
        let bad = await runCLI(["check", "1", "--cmd", "x", "--json", "x.json", "--student", "a\u{1B}b"], in: wb.root)
        #expect(bad.status == 2 && bad.err.contains("--student a\\x1bb: not a usable name"), "\(bad.err)")

        let r = await runCLI(["report", "a1.json", "a2.json", "g.json"], in: wb.root)
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("Ada L ") && $0.contains("✓ 6/6 ×2") }, "\(r.out)")
        #expect(lines.contains { $0.hasPrefix("Grace H ") }, "\(r.out)")
        #expect(lines.filter { $0.hasPrefix("Ada L") }.count == 1)
    }
}
