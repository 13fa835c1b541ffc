import CheckResults
@testable import ClassBoard
import Foundation
import NetCore
import ProcessSupervision
@testable import NetlabCommandLine
import Synchronization
import Testing
@testable import Workbook

/// Thirty students over ten minutes of a workshop, compressed: each works through lessons 1–3
/// and gets stuck where students do, posting every attempt with their own key.
@Suite("Class board: a simulated workshop", .serialized, .timeLimit(.minutes(3)))
struct ClassBoardWorkshopTests {
    /// The checks of the three lessons, in order.
    static let checks = [
        1: ["accepts a client", "serves clients one after another", "logs each client"],
        2: ["a silent client does not block the next one", "serves 100 clients at the same time", "accepts 1,000 connections at once"],
        3: ["closes an idle client after the idle timeout", "keeps a client that talks", "says why each connection closed"],
    ]

    /// Student `s`'s attempts, in order: lesson, and the index of the first check it fails (nil:
    /// passed). Everyone passes 1 (some on a second try); most get stuck on 2's second check for
    /// a while; a third of the class reaches 3 and half of them are stuck on its first check.
    static func attempts(of s: Int) -> [(lesson: Int, firstFailure: Int?)] {
        var out: [(Int, Int?)] = []
        if s % 4 == 0 { out.append((1, 2)) }
        out.append((1, nil))
        out.append((2, 1))
        if s % 3 != 0 { out.append((2, s % 5 == 0 ? 2 : 1)) }
        if s % 3 == 0 {
            out.append((2, nil))
            out.append((3, s % 2 == 0 ? 0 : nil))
        }
        return out
    }

    static func results(student: String, lesson: Int, firstFailure: Int?, at minute: Double, key: ClassKey) throws -> Data {
        let names = checks[lesson]!
        let tests = names.enumerated().map { i, name in
            let pass = firstFailure.map { i < $0 } ?? true
            return ResultsJSON.Test(
                name: name, status: pass ? "pass" : "fail", message: pass ? nil : "no", output: nil, testCode: "", taskID: i + 1,
                points: pass ? 1 : 0, maxPoints: 1)
        }
        let seconds = Int(minute * 60)
        let doc = ResultsJSON.ResultsDocument(
            status: firstFailure == nil ? "pass" : "fail", message: nil, tests: tests, points: tests.map(\.points).reduce(0, +),
            maxPoints: tests.count, lesson: .init(number: lesson, slug: String(format: "%02d-l", lesson), title: "Lesson \(lesson)"),
            student: student, generatedAt: String(format: "2026-12-07T10:%02d:%02dZ", seconds / 60, seconds % 60))
        return try ResultsSignature.sign(try ResultsJSON.encode(doc), key: key)
    }

    @Test("thirty students post over ten (compressed) minutes: the board and report agree on who is where and what they are stuck on")
    func workshop() async throws {
        let file = temporaryStateFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let board = try RunningBoard(stateFile: file, key: classKey)
        defer { Task { await board.stop() } }
        var posts: [(minute: Double, data: Data)] = []
        for s in 0..<30 {
            let name = "Student \(String(format: "%02d", s + 1))"
            let key = classKey.forStudent(name)
            let tries = Self.attempts(of: s)
            for (i, attempt) in tries.enumerated() {
                // Spread over the ten minutes, in order for each student.
                let minute = Double(i + 1) * 10 / Double(tries.count + 1) + Double(s % 7) * 0.05
                posts.append(
                    (minute, try Self.results(student: name, lesson: attempt.lesson, firstFailure: attempt.firstFailure, at: minute, key: key)))
            }
        }
        posts.sort { $0.minute < $1.minute }
        for post in posts { #expect(try await board.post(post.data).status == 201) }
        #expect(board.server.state.all.count == posts.count)

        let report = board.server.state.report()
        #expect(report.rows.count == 30)
        let stuck = ClassStuck(report)
        let lesson2 = try #require(stuck.lessons.first { $0.lesson.number == 2 })
        // Students 0, 3, 6, … (10 of them) passed 2; of the other 20, those with s % 5 == 0 fail
        // its third check first, the rest its second.
        #expect(lesson2.took == 30 && lesson2.passed == 10)
        #expect(lesson2.mostOftenFirst?.name == "serves 100 clients at the same time")
        let lesson3 = try #require(stuck.lessons.first { $0.lesson.number == 3 })
        #expect(lesson3.took == 10 && lesson3.passed == 5 && lesson3.mostOftenFirst?.name == "closes an idle client after the idle timeout")
        #expect(!stuck.lessons.contains { $0.lesson.number == 1 })  // everyone passed 1
        #expect(report.rows.first { $0.student == "Student 01" }?.cells["01-l"]?.attempts == 2)

        // What an instructor would look at: the report over the state file, and (when asked
        // for, with NETLAB_BOARD_SCREENSHOT=FILE) the board in a browser.
        let (files, problems) = BoardState.files(inStateFile: try Data(contentsOf: file), named: "class-board.jsonl")
        #expect(problems.isEmpty)
        let fromState = ClassReport(files: files, key: classKey)
        #expect(fromState.rows.count == 30 && fromState.rows.allSatisfy { $0.signature == .verified })
        #expect(fromState.renderText() == report.renderText())
        if let shot = ProcessInfo.processInfo.environment["NETLAB_BOARD_SCREENSHOT"] {
            try fromState.renderText().write(toFile: shot + ".report.txt", atomically: true, encoding: .utf8)
            let script = packageRoot.appendingPathComponent("scripts/board-browser.py").path
            let out = try await ProcessRunner.run("/usr/bin/python3", [script, "http://\(board.address)/", shot], timeout: .seconds(120))
            #expect(out.status == 0, "\(out.stdoutText)")
        }
    }
}
