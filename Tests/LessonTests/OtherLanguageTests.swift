import CheckRuntime
import Foundation
import Testing

/// Programs in another language, written from a lesson's README and docs/kv-protocol.md alone
/// (`OtherLanguage/`), pass every check of the lesson: a check that counts what a runtime does by
/// itself, or that wants what the README does not say, fails them. In the Lessons suite, so that
/// they run one at a time with the other gradings.
///
/// - kv10.py, kv11.py: the key-value server with busy waiting and with epoll.
/// - chat13.py: lesson 13's chat with asyncio and hand-written framing, the conformance set
///   included.
/// - chat14.py: that chat counted, its text format written by hand from lesson 14's README.
/// - chat15.py: that chat with lesson 15's graceful shutdown (stop listening, what is queued then
///   close 1001, --grace, exit 0).
extension LessonTests {
    @Test(
        "Python programs written from the READMEs of lessons 10, 11, 13, 14 and 15 pass every check",
        arguments: [("10", "kv10.py"), ("11", "kv11.py"), ("13", "chat13.py"), ("14", "chat14.py"), ("15", "chat15.py")])
    func pythonFromTheReadme(_ number: String, _ file: String) async throws {
        let lesson = try #require(LessonUnderTest.all.first { $0.number == number }, "no lesson \(number)")
        let program = packageRoot.appendingPathComponent("Tests/LessonTests/OtherLanguage/\(file)")
        let results = try await grade(lesson, program: ProgramLaunch(executable: "/usr/bin/env", arguments: ["python3", program.path]))
        #expect(results.count == (try lesson.script()).checks.count, "every check ran")
        #expect(results.allSatisfy { $0.status == .pass }, "\(explain(results))")
    }
}
