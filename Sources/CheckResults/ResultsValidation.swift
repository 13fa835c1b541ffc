import Foundation

/// The bounds `netlab report` holds a student's results file to. A results file is untrusted
/// input: it may be hand-written, truncated or hostile, and one bad file must never crash the
/// report or take the rest of the class table with it. A file outside these bounds is skipped
/// with a reason naming what was wrong.
public enum ResultsValidation {
    /// The most bytes read from one results file (a real one is a few KiB per lesson).
    public static let fileLimit = 16 << 20
    /// The most points (or maximum points) one lesson may claim; netlab's lessons have tens.
    public static let pointsLimit = 1_000_000
    /// The most lessons one file may hold.
    public static let lessonLimit = 1000
    /// The longest student name, lesson slug and lesson title, in characters.
    public static let nameLimit = 200
    /// The most checks one lesson may hold (netlab's lessons have tens).
    public static let testLimit = 1000
    static let statuses: Set<String> = ["pass", "fail", "error"]

    /// What is wrong with a results file, in words.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Checks what `report` uses of a decoded file: the student and each lesson's status,
    /// points and names.
    public static func validate(student: String?, lessons: [ResultsJSON.ResultsDocument]) throws(Invalid) {
        if let student, student.count > nameLimit {
            throw Invalid(reason: "the student name is \(student.count) characters long (at most \(nameLimit))")
        }
        guard lessons.count <= lessonLimit else {
            throw Invalid(reason: "it holds \(lessons.count) lessons (at most \(lessonLimit))")
        }
        guard !lessons.isEmpty else { throw Invalid(reason: "it holds no lesson") }
        for doc in lessons {
            let slug = doc.lesson.slug
            guard !slug.isEmpty, slug.count <= nameLimit else {
                throw Invalid(reason: "a lesson slug is \(slug.count) characters long (1 to \(nameLimit))")
            }
            let shown = UntrustedText.escaped(slug)
            guard doc.lesson.title.count <= nameLimit else {
                throw Invalid(reason: "the title of lesson \(shown) is \(doc.lesson.title.count) characters long (at most \(nameLimit))")
            }
            guard (0...999).contains(doc.lesson.number) else {
                throw Invalid(reason: "lesson \(shown) has number \(doc.lesson.number) (0 to 999)")
            }
            guard statuses.contains(doc.status) else {
                throw Invalid(reason: "lesson \(shown) has status \(Bytes.quoted(Array(doc.status.utf8), limit: 40)) (pass, fail or error)")
            }
            for (name, value) in [("points", doc.points), ("max_points", doc.maxPoints)] where !(0...pointsLimit).contains(value) {
                throw Invalid(reason: "lesson \(shown) claims \(name) \(value) (0 to \(pointsLimit))")
            }
            guard doc.tests.count <= testLimit else {
                throw Invalid(reason: "lesson \(shown) holds \(doc.tests.count) checks (at most \(testLimit))")
            }
            guard doc.points <= doc.maxPoints else {
                throw Invalid(reason: "lesson \(shown) claims \(doc.points) points of \(doc.maxPoints)")
            }
        }
    }
}
