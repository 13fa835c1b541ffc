import CheckResults
import Foundation
import Workbook

/// What the board page shows, as one JSON document: the class table (a row per student, the
/// latest attempt per lesson), where the class is stuck, and the latest results as a timeline.
/// The page renders it with `textContent` only; the names in it are already escaped as on a
/// terminal (``UntrustedText``).
struct BoardSnapshot: Encodable {
    struct Lesson: Encodable {
        var number: Int
        var slug: String
        var title: String
    }
    struct Cell: Encodable {
        var status: String
        var points: Int
        var max: Int
        var attempts: Int
        var latest: String?
    }
    struct Student: Encodable {
        var name: String
        var cells: [String: Cell]
        var points: Int
        var max: Int
        var latest: String?
    }
    struct StuckCheck: Encodable {
        var name: String
        var failing: Int
        var first: Int
    }
    struct Stuck: Encodable {
        var number: Int
        var title: String
        var took: Int
        var passed: Int
        var checks: [StuckCheck]
        var mostOftenFirst: String?
    }
    struct Event: Encodable {
        var at: String
        var student: String
        var lesson: String
        var status: String
        var points: String
    }

    var lessons: [Lesson]
    var students: [Student]
    var stuck: [Stuck]
    var timeline: [Event]
    var results: Int

    /// The latest results shown in the timeline.
    static let timelineLength = 50

    init(_ state: BoardState) {
        let report = state.report()
        lessons = report.lessons.map { Lesson(number: $0.number, slug: UntrustedText.escaped($0.slug), title: UntrustedText.escaped($0.title)) }
        students = report.rows.filter(\.counted).map { row in
            Student(
                name: row.student,
                cells: row.cells.reduce(into: [:]) { cells, entry in
                    let c = entry.value
                    cells[UntrustedText.escaped(entry.key)] = Cell(
                        status: c.status, points: c.points, max: c.maxPoints, attempts: c.attempts, latest: c.latest)
                }, points: row.points, max: row.maxPoints, latest: row.latest)
        }
        stuck = ClassStuck(report).lessons.map { lesson in
            Stuck(
                number: lesson.lesson.number, title: UntrustedText.escaped(lesson.lesson.title), took: lesson.took, passed: lesson.passed,
                checks: lesson.checks.prefix(ClassReport.stuckChecksShown).map { StuckCheck(name: $0.name, failing: $0.failing, first: $0.first) },
                mostOftenFirst: lesson.mostOftenFirst?.name)
        }
        let entries = state.all
        results = entries.count
        timeline = entries.suffix(Self.timelineLength).reversed().flatMap { entry -> [Event] in
            guard let (student, docs) = try? ResultsJSON.decodeAny(ResultsSignature.verify(entry.data, key: nil).payload) else { return [] }
            let name = UntrustedText.escaped(String((student ?? "?").prefix(ResultsValidation.nameLimit)))
            return docs.prefix(20).map { doc in
                Event(
                    at: entry.receivedAt, student: name,
                    lesson: String(format: "%02d", doc.lesson.number) + " " + UntrustedText.escaped(String(doc.lesson.title.prefix(200))),
                    status: doc.status, points: "\(doc.points)/\(doc.maxPoints)")
            }
        }
    }

    func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
