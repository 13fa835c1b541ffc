import Foundation
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
        let results = try await grade(lesson, program: ProgramLaunch(executable: try builtProgram("lesson\(lesson.number)")),
                                      stopAtFirstFailure: true)
        let failure = results.first { $0.status == .fail }
        #expect(failure != nil, "the starter of \(lesson.slug) passes its checks: \(results.map { "\($0.name): \($0.status)" })")
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
        let program = ProgramLaunch(executable: try builtProgram("mistakes\(lesson.number)"),
                                    environment: ["NETLAB_MISTAKE": mistake.name])
        let results = try await grade(lesson, program: program, only: mistake.failingCheck)
        let result = try #require(results.first)
        #expect(result.status == .fail, "\(mistake.file) should fail \"\(mistake.failingCheck)\": \(result.status)\n\(result.transcript)")
    }
}
