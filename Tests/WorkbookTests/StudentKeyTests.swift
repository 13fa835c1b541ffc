import CheckResults
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

@Suite("Student keys: a student's own key signs as that student only")
struct StudentKeyTests {
    let classKey = try! ClassKey(hexText: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n")

    func document(student: String) throws -> Data {
        try ResultsJSON.encode(ResultsJSON.document(for: sampleResult(failing: false), scriptLines: [], student: student, date: nil))
    }

    @Test("derived, written and read back; verifies under the class key as its own student only")
    func derivation() throws {
        let ada = classKey.forStudent("Ada L")
        #expect(ada.student == "Ada L" && ada.bytes.count == 32 && ada.bytes != classKey.bytes)
        #expect(classKey.forStudent("Bob").bytes != ada.bytes)
        let reread = try ClassKey(hexText: ada.fileText)
        #expect(reread == ada)
        #expect(ada.fileText.hasPrefix("student Ada L\n"))
        #expect(throws: ClassKey.Problem.self) { try ClassKey(hexText: "student \n" + String(repeating: "ab", count: 32)) }

        let own = try ResultsSignature.sign(try document(student: "Ada L"), key: ada)
        #expect(ResultsSignature.verify(own, key: classKey).verdict == .verified)
        // Ada's key signing a file that claims to be Bob's: it does not verify as Bob's.
        let impersonation = try ResultsSignature.sign(try document(student: "Bob"), key: ada)
        if case .bad = ResultsSignature.verify(impersonation, key: classKey).verdict {} else { Issue.record("impersonation verifies") }
        // Nor does a name edited after signing.
        let renamed = Data(String(decoding: own, as: UTF8.self).replacingOccurrences(of: "Ada L", with: "Bob").utf8)
        if case .bad = ResultsSignature.verify(renamed, key: classKey).verdict {} else { Issue.record("renamed file verifies") }
        // Another class's key makes another student key.
        let other = try ClassKey(hexText: String(repeating: "cd", count: 32))
        if case .bad = ResultsSignature.verify(own, key: other).verdict {} else { Issue.record("verifies under another class key") }
    }

    @Test("class-key --student makes the key; check signs with it under the student's name; report verifies it")
    func throughTheCommandLine() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        #expect(await runCLI(["class-key", "class.key"], in: wb.root).status == 0)
        let made = await runCLI(["class-key", "--student", "Ada L", "--from", "class.key", "ada.key"], in: wb.root)
        #expect(made.status == 0 && made.out.contains("Wrote Ada L's own key to ada.key"), "\(made.out)\(made.err)")
        #expect(wb.read("ada.key")?.hasPrefix("student Ada L\n") == true)
        let half = await runCLI(["class-key", "--student", "Ada L", "x.key"], in: wb.root)
        #expect(half.status == 2 && half.err.contains("--student NAME and --from CLASSKEY go together"))

        let env = ["NETLAB_CLASS_KEY_FILE": wb.url("ada.key").path, "NETLAB_STUDENT": "Bob"]
        let signed = await runCLI(["check", "1", "--cmd", "x", "--json", "a.json"], in: wb.root, environment: env)
        #expect(signed.out.contains("for Ada L (from the student key;"), "\(signed.out)\(signed.err)")
        #expect(wb.read("a.json")?.contains("\"student\" : \"Ada L\"") == true)
        let refused = await runCLI(["check", "1", "--cmd", "x", "--json", "b.json", "--student", "Bob"], in: wb.root, environment: env)
        #expect(refused.status == 2 && refused.err.contains("the key signs the results of Ada L only"), "\(refused.err)")

        let r = await runCLI(["report", "--key", "class.key", "a.json"], in: wb.root)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.split(separator: "\n").contains { $0.hasPrefix("Ada L ") && $0.hasSuffix("verified") }, "\(r.out)")
    }
}
