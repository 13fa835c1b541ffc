@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// Every lesson's checks against real programs: the reference solution passes them all, the
/// starter does not, and each mistake fixture fails the check it names. The lessons run one at
/// a time: their checks measure the server's descriptors and timing, which a second lesson's
/// thousand connections would only disturb.
@Suite("Lessons", .serialized, .timeLimit(.minutes(10)))
struct LessonTests {
    @Test func everyLessonIsHere() {
        let slugs = LessonUnderTest.all.map(\.slug)
        #expect(slugs.count >= 4, "lessons found: \(slugs)")
        for (i, slug) in slugs.enumerated() {
            #expect(slug.hasPrefix(String(format: "%02d-", i + 1)), "lessons are numbered from 01 without gaps: \(slugs)")
        }
    }

    @Test(arguments: LessonUnderTest.all)
    func solutionPassesEveryCheck(_ lesson: LessonUnderTest) async throws {
        let results = try await grade(lesson, program: ProgramLaunch(executable: try builtProgram("solution\(lesson.number)")))
        #expect(!results.isEmpty)
        #expect(results.allSatisfy { $0.status == .pass }, "\(explain(results))")
    }

    @Test(arguments: LessonUnderTest.all)
    func starterFails(_ lesson: LessonUnderTest) async throws {
        let results = try await grade(lesson, program: ProgramLaunch(executable: try builtProgram("lesson\(lesson.number)")))
        // Every check fails against the starter: a check it passes would tell a learner nothing.
        #expect(results.count == (try lesson.script()).checks.count, "every check ran")
        let passing = results.filter { $0.status == .pass }.map(\.name)
        #expect(passing.isEmpty, "the starter of \(lesson.slug) passes: \(passing)")
        // A starter fails a check; it does not break the checker (no `error` verdicts).
        #expect(!results.contains { $0.status == .error }, "\(explain(results))")
    }

    @Test func everyLessonHasThreeMistakes() {
        for lesson in LessonUnderTest.all {
            let mistakes = Mistake.all.filter { $0.lesson == lesson.slug }
            #expect(mistakes.count >= 3, "\(lesson.slug) has \(mistakes.count) mistake fixtures in Tests/Mistakes/\(lesson.slug)/")
        }
    }

    @Test(arguments: Mistake.all)
    func mistakeFailsItsCheck(_ mistake: Mistake) async throws {
        let lesson = try #require(LessonUnderTest.all.first { $0.slug == mistake.lesson }, "no lesson for \(mistake.file)")
        let program = ProgramLaunch(
            executable: try builtProgram("mistakes\(lesson.number)"),
            environment: ["NETLAB_MISTAKE": mistake.name])
        let results = try await grade(lesson, program: program, only: mistake.failingCheck)
        let result = try #require(results.first)
        #expect(result.status == .fail, "\(mistake.file) should fail \"\(mistake.failingCheck)\": \(result.status)\n\(result.transcript)")
        // And it is the solution with one mistake, not a program that fails everything: some
        // other check of the lesson still passes.
        let others = try await grade(lesson, program: program, except: mistake.failingCheck, stopAfter: { $0.status == .pass })
        #expect(
            others.last?.status == .pass,
            "\(mistake.file) passes no other check of \(lesson.slug): \(others.map { "\($0.name): \($0.status)" })")
    }
}
