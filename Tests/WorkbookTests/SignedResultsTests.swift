@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// Signed results files (`check --json --key`, `report --key`) and a report that survives any
/// results file.
@Suite("Results: signatures")
struct SignedResultsTests {
    let key = try! ClassKey(hexText: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n")
    let otherKey = try! ClassKey(hexText: String(repeating: "ab", count: 32))

    func document(student: String = "ada", points: Int = 3) throws -> Data {
        var doc = ResultsJSON.document(for: sampleResult(failing: false), scriptLines: [], student: student, date: nil)
        doc.points = points
        return try ResultsJSON.encode(doc)
    }

    @Test func signedRoundTripVerifiesAndStaysExercismShaped() throws {
        let plain = try document()
        let signed = try ResultsSignature.sign(plain, key: key)
        let (verdict, payload) = ResultsSignature.verify(signed, key: key)
        #expect(verdict == .verified)
        #expect(payload == plain)
        // Still one JSON object with Exercism's keys, plus the signature.
        let object = try #require(try JSONSerialization.jsonObject(with: signed) as? [String: Any])
        #expect(object["version"] as? Int == 3 && object["tests"] is [Any])
        #expect((object[ResultsSignature.field] as? String)?.hasPrefix("hmac-sha256:") == true)
        #expect(throws: Never.self) { try JSONDecoder().decode(StrictResults.self, from: signed) }
        #expect(ResultsSignature.verify(signed, key: nil).verdict == .notChecked)
        #expect(ResultsSignature.verify(plain, key: key).verdict == .unsigned)
    }

    @Test func anyEditOrAnotherKeyFails() throws {
        let signed = try ResultsSignature.sign(try document(), key: key)
        #expect(ResultsSignature.verify(signed, key: otherKey).verdict != .verified)
        if case .bad = ResultsSignature.verify(signed, key: otherKey).verdict {} else { Issue.record("wrong key not bad") }
        let text = String(decoding: signed, as: UTF8.self)
        let edits: [(String, String)] = [
            ("\"points\" : 3,\n  \"status\"", "\"points\" : 4,\n  \"status\""),  // the lesson's points
            ("\"student\" : \"ada\"", "\"student\" : \"bob\""),
            ("\"status\" : \"pass\"", "\"status\" : \"fail\""),
            ("\"version\" : 3", "\"version\" : 3 "),  // whitespace too
            ("\"title\" : \"Echo server\"", "\"title\" : \"Echo server\", \"extra\": 1"),
        ]
        for (from, to) in edits {
            #expect(text.contains(from), "fixture lacks \(from)")
            let edited = Data(text.replacingOccurrences(of: from, with: to).utf8)
            guard case .bad = ResultsSignature.verify(edited, key: key).verdict else {
                Issue.record("edit \(from) → \(to) still verifies")
                continue
            }
        }
        // The signature itself changed, moved, or re-formatted away from the end.
        var flipped = Array(signed)
        flipped[flipped.count - 6] = flipped[flipped.count - 6] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        if case .bad = ResultsSignature.verify(Data(flipped), key: key).verdict {} else { Issue.record("flipped MAC verifies") }
        let reformatted = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: signed), options: [.sortedKeys])
        if case .bad = ResultsSignature.verify(reformatted, key: key).verdict {} else { Issue.record("re-formatted file not bad") }
    }

    @Test func reportMarksVerifiedUnsignedAndTampered() throws {
        let good = try ResultsSignature.sign(try document(student: "ada"), key: key)
        let tampered = Data(
            String(decoding: try ResultsSignature.sign(try document(student: "eve", points: 1), key: key), as: UTF8.self)
                .replacingOccurrences(of: "\"points\" : 1,\n  \"status\"", with: "\"points\" : 3,\n  \"status\"").utf8)
        let unsigned = try document(student: "bob")
        let files = [("ada.json", good), ("eve.json", tampered), ("bob.json", unsigned)]
        let report = ClassReport(files: files, key: key)
        #expect(report.rows.map(\.student) == ["ada", "bob", "eve"])
        #expect(
            report.rows.map(\.signature) == [
                .verified, .unsigned,
                .bad("the file was changed after it was signed, or signed with another class key"),
            ])
        let eve = report.rows[2]
        #expect(eve.cells.isEmpty && eve.points == 0)  // tampered claims are never counted
        let text = report.renderText()
        #expect(text.contains("ada      ✓ 3/3     3/3  verified"), "\(text)")
        #expect(text.contains("bob      ✓ 3/3     3/3  unsigned"))
        #expect(text.contains("eve          –       –  BAD SIGNATURE"))
        #expect(text.contains("passed     2/2"))
        #expect(text.contains("BAD SIGNATURE (not counted):\n  eve (eve.json): the file was changed after it was signed"))
        #expect(text.contains("unsigned: self-reported"))
        // Without the key: nothing verified, and the report says results are self-reported.
        let unchecked = ClassReport(files: files).renderText()
        #expect(unchecked.contains("Results are self-reported"))
        #expect(unchecked.contains("not checked"))
    }

    @Test func keyFiles() throws {
        #expect(throws: ClassKey.Problem.self) { try ClassKey(hexText: "abcd") }  // too short
        #expect(throws: ClassKey.Problem.self) { try ClassKey(hexText: String(repeating: "zz", count: 32)) }
        #expect(throws: ClassKey.Problem.self) { try ClassKey(hexText: "") }
        let made = try #require(ClassKey.generateHex())
        #expect(made.count == 65 && made.hasSuffix("\n"))
        #expect(try ClassKey(hexText: made).bytes.count == 32)
    }
}

@Suite("Results: a report that no file can crash")
struct ReportRobustnessTests {
    func good() throws -> (String, Data) {
        ("good.json", try ResultsJSON.encode(ResultsJSON.document(for: sampleResult(failing: false), scriptLines: [], student: "ada", date: nil)))
    }

    func lesson(_ slug: String, _ number: Int, points: String, max: String = "3") -> String {
        """
        {"version": 3, "status": "pass", "message": null, "tests": [], "points": \(points), "max_points": \(max),
         "lesson": {"number": \(number), "slug": "\(slug)", "title": "T"}}
        """
    }

    @Test func overflowingPointsSkipTheFileNotTheClass() throws {
        let huge = "9223372036854775807"
        let bundle = """
            {"version": 3, "status": "pass", "message": null, "tests": [], "points": 0, "max_points": 0, "student": "mallory",
             "lessons": [\(lesson("01-echo", 1, points: huge, max: huge)), \(lesson("02-x", 2, points: huge, max: huge))]}
            """
        let report = ClassReport(files: [try good(), ("overflow.json", Data(bundle.utf8))])
        #expect(report.rows.map(\.student) == ["ada"])
        #expect(report.problems == ["overflow.json: lesson 01-echo claims points 9223372036854775807 (0 to 1000000)"])
        #expect(report.renderText().contains("skipped:\n  overflow.json: lesson 01-echo claims points"))
    }

    @Test func badValuesAreNamed() throws {
        let cases: [(String, String, String)] = [
            ("negative.json", lesson("01-echo", 1, points: "-5"), "lesson 01-echo claims points -5 (0 to 1000000)"),
            ("more.json", lesson("01-echo", 1, points: "4", max: "3"), "lesson 01-echo claims 4 points of 3"),
            ("toobig.json", lesson("01-echo", 1, points: "99999999999999999999"), "not a netlab results file"),
            ("number.json", lesson("01-echo", 12345, points: "1"), "lesson 01-echo has number 12345 (0 to 999)"),
            (
                "status.json", lesson("01-echo", 1, points: "1").replacingOccurrences(of: "\"pass\"", with: "\"won\""),
                #"lesson 01-echo has status "won" (pass, fail or error)"#
            ),
            (
                "name.json",
                lesson("01-echo", 1, points: "1").replacingOccurrences(
                    of: "\"version\"",
                    with: "\"student\": \"\(String(repeating: "x", count: 5000))\", \"version\""),
                "the student name is 5000 characters long (at most 200)"
            ),
            ("empty.json", "[]", "it holds no lesson"),
            ("junk.json", "{\"version\": 3, ", "not a netlab results file (invalid JSON)"),
        ]
        let report = ClassReport(files: [try good()] + cases.map { ($0.0, Data($0.1.utf8)) })
        #expect(report.rows.map(\.student) == ["ada"])
        #expect(report.problems.count == cases.count)
        for (file, _, reason) in cases {
            #expect(report.problems.contains { $0.hasPrefix(file + ": ") && $0.contains(reason) }, "\(file): \(report.problems)")
        }
    }

    @Test func sumsCannotOverflow() {
        #expect([Int.max, Int.max, 1].saturatingSum() == Int.max)
        #expect([Int.min, -1].saturatingSum() == Int.min)
        #expect([1, 2, 3].saturatingSum() == 6)
        // Lessons whose checks claim huge points (a script's `points`) total without a trap.
        let huge = CheckResult(
            name: "c", status: .pass, points: Int.max, maxPoints: Int.max, message: nil, transcript: "",
            hint: nil, location: "checks.netlab:1:1", index: 1, duration: .zero)
        let lesson = LessonResult(number: 1, slug: "01-x", title: "X", error: nil, checks: [huge, huge])
        #expect(lesson.points == Int.max)
        #expect(CheckPrinter(style: .plain, verbose: false).scoreTable([lesson, lesson]).contains("\(Int.max)/\(Int.max) points"))
        #expect(
            ResultsJSON.bundle(
                [ResultsJSON.document(for: lesson, scriptLines: [], student: nil, date: nil)],
                student: nil, date: nil
            ).points == Int.max)
    }

    @Test func oversizedFilesAreSkippedUnread() throws {
        let big = Data(count: ResultsValidation.fileLimit + 1)
        let report = ClassReport(files: [try good(), ("big.json", big)])
        #expect(report.problems == ["big.json: larger than 16 MiB, not a netlab results file"])
        #expect(report.rows.count == 1)
    }
}

@Suite("CLI: class key, signed --json, report --key")
struct SignedResultsCLITests {
    @Test func signAndVerifyThroughTheCommandLine() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let made = await runCLI(["class-key", "class.key"], in: wb.root)
        #expect(made.status == 0, "\(made.err)")
        let attributes = try FileManager.default.attributesOfItem(atPath: wb.url("class.key").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let again = await runCLI(["class-key", "class.key"], in: wb.root)
        #expect(again.status == 1 && again.err.contains("it exists already"))

        // --key, and the environment variable, both sign.
        let a = await runCLI(["check", "1", "--cmd", "x", "--json", "a.json", "--key", "class.key"], in: wb.root)
        #expect(a.out.contains("Results: a.json (JSON, signed with the class key)"), "\(a.out)\(a.err)")
        let b = await runCLI(
            ["check", "--cmd", "x", "--json", "b.json"], in: wb.root,
            environment: ["NETLAB_STUDENT": "bob", "NETLAB_CLASS_KEY_FILE": wb.url("class.key").path])
        #expect(b.out.contains("signed with the class key"))
        _ = await runCLI(["check", "1", "--cmd", "x", "--json", "c.json"], in: wb.root, environment: ["NETLAB_STUDENT": "cy"])
        try wb.write("d.json", try #require(wb.read("a.json")).replacingOccurrences(of: "\"student\" : \"ada\"", with: "\"student\" : \"dan\""))

        let r = await runCLI(["report", "--key", "class.key", "a.json", "b.json", "c.json", "d.json"], in: wb.root)
        #expect(r.status == 1)  // a bad signature
        #expect(r.out.contains("verified") && r.out.contains("unsigned") && r.out.contains("BAD SIGNATURE"), "\(r.out)")
        let lines = r.out.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("ada ") && $0.hasSuffix("verified") })
        #expect(lines.contains { $0.hasPrefix("bob ") && $0.hasSuffix("verified") })
        #expect(lines.contains { $0.hasPrefix("cy ") && $0.hasSuffix("unsigned") })
        // d.json, the edited copy: named for its file, not for the name it claims.
        #expect(lines.contains { $0.hasPrefix("d ") && $0.hasSuffix("BAD SIGNATURE") }, "\(r.out)")
        #expect(!r.out.contains("dan"), "\(r.out)")
        let honest = await runCLI(["report", "--key", "class.key", "a.json", "b.json"], in: wb.root)
        #expect(honest.status == 0, "\(honest.err)")

        // Without a key, report says plainly that results are self-reported.
        let plain = await runCLI(["report", "c.json"], in: wb.root)
        #expect(plain.status == 0 && plain.out.contains("Results are self-reported"))
    }

    @Test func badKeysAreSaidBeforeAnyCheckRuns() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try wb.write("short.key", "abcd\n")
        let short = await runCLI(["check", "1", "--cmd", "x", "--json", "a.json", "--key", "short.key"], in: wb.root)
        #expect(short.status == 1 && short.err.contains("short.key: a class key needs at least 16 bytes"), "\(short.err)")
        #expect(!short.out.contains("Lesson 1"))  // nothing was graded
        let missing = await runCLI(["report", "--key", "nope.key", "x.json"], in: wb.root)
        #expect(missing.status == 1 && missing.err.contains("cannot read the class key file nope.key"))
        let noJSON = await runCLI(["check", "1", "--cmd", "x", "--key", "short.key"], in: wb.root)
        #expect(noJSON.status == 2 && noJSON.err.contains("`--key` signs the results of `--json FILE`"))
    }

    @Test func reportSkipsABadFileAndReportsTheRest() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        _ = await runCLI(["check", "1", "--cmd", "x", "--json", "a.json"], in: wb.root)
        let huge = "9223372036854775807"
        try wb.write(
            "evil.json",
            try #require(wb.read("a.json"))
                .replacingOccurrences(of: "\"max_points\" : 6", with: "\"max_points\" : \(huge)")
                .replacingOccurrences(of: "\"points\" : 6", with: "\"points\" : \(huge)"))
        let r = await runCLI(["report", "a.json", "evil.json"], in: wb.root)
        #expect(r.status == 1)
        #expect(r.out.contains("ada      ✓ 6/6"), "\(r.out)")
        #expect(r.out.contains("evil.json: lesson 01-echo claims points \(huge) (0 to 1000000)"), "\(r.out)")
    }
}
