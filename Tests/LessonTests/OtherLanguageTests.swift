import CheckRuntime
import Foundation
import Testing

/// Programs in another language, written from a lesson's README and docs/kv-protocol.md alone
/// (`OtherLanguage/`), pass every check of the lesson: a check that counts what a runtime does by
/// itself, or that wants what the README does not say, fails them. In the Lessons suite, so that
/// they run one at a time with the other gradings.
extension LessonTests {
    @Test("Python servers written from the READMEs of lessons 10 and 11 pass every check", arguments: ["10", "11"])
    func pythonFromTheReadme(_ number: String) async throws {
        let lesson = try #require(LessonUnderTest.all.first { $0.number == number }, "no lesson \(number)")
        let program = packageRoot.appendingPathComponent("Tests/LessonTests/OtherLanguage/kv\(number).py")
        let results = try await grade(lesson, program: ProgramLaunch(executable: "/usr/bin/env", arguments: ["python3", program.path]))
        #expect(results.count == (try lesson.script()).checks.count, "every check ran")
        #expect(results.allSatisfy { $0.status == .pass }, "\(explain(results))")
    }

    /// chat13.py: lesson 13's chat in Python with asyncio and hand-written framing, written from
    /// the lesson's contract alone, passes every check, the conformance set included.
    @Test("A Python WebSocket chat written from lesson 13's README passes every check")
    func pythonChatFromTheReadme() async throws {
        let lesson = try #require(LessonUnderTest.all.first { $0.number == "13" }, "no lesson 13")
        let program = packageRoot.appendingPathComponent("Tests/LessonTests/OtherLanguage/chat13.py")
        let results = try await grade(lesson, program: ProgramLaunch(executable: "/usr/bin/env", arguments: ["python3", program.path]))
        #expect(results.count == (try lesson.script()).checks.count, "every check ran")
        #expect(results.allSatisfy { $0.status == .pass }, "\(explain(results))")
    }

    /// chat15.py: lesson 13's Python chat with the graceful shutdown of lesson 15's README
    /// (stop listening, what is queued then close 1001, --grace, exit 0), written from it alone.
    @Test("A Python chat with a graceful shutdown, written from lesson 15's README, passes every check")
    func pythonShutdownFromTheReadme() async throws {
        let lesson = try #require(LessonUnderTest.all.first { $0.number == "15" }, "no lesson 15")
        let program = packageRoot.appendingPathComponent("Tests/LessonTests/OtherLanguage/chat15.py")
        let results = try await grade(lesson, program: ProgramLaunch(executable: "/usr/bin/env", arguments: ["python3", program.path]))
        #expect(results.count == (try lesson.script()).checks.count, "every check ran")
        #expect(results.allSatisfy { $0.status == .pass }, "\(explain(results))")
    }
}
