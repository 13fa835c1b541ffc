import Foundation

/// Machine-readable results: Exercism's test-runner results, version 3
/// (exercism/docs building/tooling/test-runners/interface.md), extended with points and the
/// lesson. One lesson gives a ``ResultsDocument``; several lessons give a ``ResultsBundle``,
/// which is itself a valid version-3 document (all tests, in lesson order) plus `lessons`.
public enum ResultsJSON {
    /// Exercism's cap on `output`, and its note.
    public static let outputLimit = 500
    public static let truncationNote = "Output was truncated. Please limit to 500 chars"

    public struct LessonInfo: Codable, Sendable, Equatable {
        public var number: Int
        public var slug: String
        public var title: String

        public init(number: Int, slug: String, title: String) {
            self.number = number
            self.slug = slug
            self.title = title
        }
    }

    public struct Test: Codable, Sendable, Equatable {
        public var name: String
        /// `pass`, `fail` or `error`.
        public var status: String
        /// Required unless the test passed.
        public var message: String?
        /// The transcript (failing tests only), at most 500 characters.
        public var output: String?
        /// The check's source lines from `checks.netlab`.
        public var testCode: String
        /// The check's 1-based position in its script.
        public var taskID: Int
        public var points: Int
        public var maxPoints: Int
        /// How the program ended on its own during a check that did not pass (netlab's
        /// addition; absent otherwise, and in files written before it).
        public var programEnd: ProgramEnd?

        enum CodingKeys: String, CodingKey {
            case name, status, message, output, points
            case testCode = "test_code"
            case taskID = "task_id"
            case maxPoints = "max_points"
            case programEnd = "program_end"
        }

        public init(
            name: String, status: String, message: String?, output: String?, testCode: String, taskID: Int, points: Int, maxPoints: Int,
            programEnd: ProgramEnd? = nil
        ) {
            self.name = name
            self.status = status
            self.message = message
            self.output = output
            self.testCode = testCode
            self.taskID = taskID
            self.points = points
            self.maxPoints = maxPoints
            self.programEnd = programEnd
        }
    }

    /// One lesson's results (the file `netlab check 4 --json FILE` writes).
    public struct ResultsDocument: Codable, Sendable, Equatable {
        public var version: Int
        public var status: String
        /// Required when `status` is `error` (≤ 65535 characters); null otherwise.
        public var message: String?
        public var tests: [Test]
        public var points: Int
        public var maxPoints: Int
        public var lesson: LessonInfo
        /// Who ran it (`NETLAB_STUDENT`, else `USER`); `netlab report` shows it.
        public var student: String?
        public var generatedAt: String?

        enum CodingKeys: String, CodingKey {
            case version, status, message, tests, points, lesson, student
            case maxPoints = "max_points"
            case generatedAt = "generated_at"
        }

        public init(
            version: Int = 3, status: String, message: String?, tests: [Test], points: Int, maxPoints: Int,
            lesson: LessonInfo, student: String?, generatedAt: String?
        ) {
            self.version = version
            self.status = status
            self.message = message
            self.tests = tests
            self.points = points
            self.maxPoints = maxPoints
            self.lesson = lesson
            self.student = student
            self.generatedAt = generatedAt
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(version, forKey: .version)
            try c.encode(status, forKey: .status)
            try c.encode(message, forKey: .message)  // explicit null, as in Exercism's example
            try c.encode(tests, forKey: .tests)
            try c.encode(points, forKey: .points)
            try c.encode(maxPoints, forKey: .maxPoints)
            try c.encode(lesson, forKey: .lesson)
            try c.encodeIfPresent(student, forKey: .student)
            try c.encodeIfPresent(generatedAt, forKey: .generatedAt)
        }
    }

    /// Several lessons' results (`netlab check --json FILE`, or `check 3 4 --json FILE`).
    public struct ResultsBundle: Codable, Sendable, Equatable {
        public var version: Int
        /// `error` when no lesson could be graded, `fail` when any check failed or any lesson
        /// errored, else `pass`.
        public var status: String
        public var message: String?
        /// Every lesson's tests, in lesson order; names are prefixed `04-proxy: `.
        public var tests: [Test]
        public var points: Int
        public var maxPoints: Int
        public var student: String?
        public var generatedAt: String?
        public var lessons: [ResultsDocument]

        enum CodingKeys: String, CodingKey {
            case version, status, message, tests, points, student, lessons
            case maxPoints = "max_points"
            case generatedAt = "generated_at"
        }

        public init(
            version: Int = 3, status: String, message: String?, tests: [Test], points: Int, maxPoints: Int,
            student: String?, generatedAt: String?, lessons: [ResultsDocument]
        ) {
            self.version = version
            self.status = status
            self.message = message
            self.tests = tests
            self.points = points
            self.maxPoints = maxPoints
            self.student = student
            self.generatedAt = generatedAt
            self.lessons = lessons
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(version, forKey: .version)
            try c.encode(status, forKey: .status)
            try c.encode(message, forKey: .message)
            try c.encode(tests, forKey: .tests)
            try c.encode(points, forKey: .points)
            try c.encode(maxPoints, forKey: .maxPoints)
            try c.encodeIfPresent(student, forKey: .student)
            try c.encodeIfPresent(generatedAt, forKey: .generatedAt)
            try c.encode(lessons, forKey: .lessons)
        }
    }

    /// `output` for Exercism: the text, or its start plus the truncation note, ≤ 500 characters.
    public static func truncatedOutput(_ text: String) -> String {
        guard text.count > outputLimit else { return text }
        let keep = outputLimit - truncationNote.count - 5
        return String(text.prefix(keep)) + "\n...\n" + truncationNote
    }

    /// The lines of the check that starts at `location` (`checks.netlab:12:1`), up to the next
    /// `check` line, without trailing blank lines and comments.
    public static func checkSource(lines: [String], location: String) -> String {
        let parts = location.split(separator: ":")
        guard parts.count >= 2, let line = Int(parts[parts.count - 2]), line >= 1, line <= lines.count else { return "" }
        var out = [lines[line - 1]]
        var i = line
        while i < lines.count {
            let t = lines[i].trimmingSpaces()
            if t.hasPrefix("check ") || t == "check" { break }
            out.append(lines[i])
            i += 1
        }
        while let last = out.last, last.trimmingSpaces().isEmpty || last.trimmingSpaces().hasPrefix("#") { out.removeLast() }
        return out.joined(separator: "\n")
    }

    /// The document for one lesson. `scriptLines` are the lines of `checks.netlab` (for
    /// `test_code`).
    public static func document(for result: LessonResult, scriptLines: [String], student: String?, date: Date?) -> ResultsDocument {
        let tests = result.checks.sorted { $0.index < $1.index }.map { check -> Test in
            let message: String? =
                check.status == .pass ? nil : (check.message ?? (check.status == .error ? "the check could not be run" : "the check failed"))
            var output: String? = nil
            if check.status != .pass {
                // Escaped before it is cut, so that the escapes cannot push it past 500 characters.
                var text = UntrustedText.escaped(check.transcript.trimmingBlankLines(), multiline: true)
                if let hint = check.hint.map({ UntrustedText.escaped($0, multiline: true) }), !text.contains("hint: \(hint)") {
                    text += (text.isEmpty ? "" : "\n") + "hint: \(hint)"
                }
                output = text.isEmpty ? nil : truncatedOutput(text)
            }
            // What the program wrote is escaped here as on the terminal: people read these files.
            return Test(
                name: UntrustedText.escaped(check.name), status: check.status.rawValue,
                message: message.map { UntrustedText.escaped($0, multiline: true) },
                output: output,
                testCode: UntrustedText.escaped(checkSource(lines: scriptLines, location: check.location), multiline: true),
                taskID: check.index,
                points: check.points, maxPoints: check.maxPoints,
                programEnd: check.status == .pass ? nil : check.programEnd.map(escaped))
        }
        let status: String
        var message: String? = nil
        if let error = result.error {
            status = "error"
            message = String(UntrustedText.escaped(error, multiline: true).prefix(65535))
        } else if result.checks.isEmpty {
            status = "error"
            message = "the lesson has no checks"
        } else {
            status = result.passed ? "pass" : "fail"
        }
        return ResultsDocument(
            status: status, message: message, tests: tests, points: result.points, maxPoints: result.maxPoints,
            lesson: LessonInfo(number: result.number, slug: result.slug, title: result.title),
            student: student.map { UntrustedText.escaped($0) }, generatedAt: date.map(iso8601))
    }

    public static func bundle(_ documents: [ResultsDocument], student: String?, date: Date?) -> ResultsBundle {
        let tests = documents.flatMap { doc in
            doc.tests.map { t -> Test in
                var t = t
                t.name = "\(doc.lesson.slug): \(t.name)"
                return t
            }
        }
        let status: String
        var message: String? = nil
        if documents.isEmpty || documents.allSatisfy({ $0.status == "error" }) {
            status = "error"
            message =
                documents.isEmpty
                ? "no lesson was graded"
                : documents.map { "\($0.lesson.slug): \($0.message ?? "error")" }.joined(separator: "\n")
        } else {
            status = documents.allSatisfy { $0.status == "pass" } ? "pass" : "fail"
        }
        return ResultsBundle(
            status: status, message: message, tests: tests,
            points: documents.map(\.points).saturatingSum(), maxPoints: documents.map(\.maxPoints).saturatingSum(),
            student: student.map { UntrustedText.escaped($0) }, generatedAt: date.map(iso8601), lessons: documents)
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// Reads a results file: a single lesson document, a bundle, or a JSON array of lesson
    /// documents. Returns the student (if recorded) and the lesson documents.
    public static func decodeAny(_ data: Data) throws -> (student: String?, lessons: [ResultsDocument]) {
        let decoder = JSONDecoder()
        if let bundle = try? decoder.decode(ResultsBundle.self, from: data) {
            return (bundle.student, bundle.lessons)
        }
        if let doc = try? decoder.decode(ResultsDocument.self, from: data) {
            return (doc.student, [doc])
        }
        if let docs = try? decoder.decode([ResultsDocument].self, from: data) {
            return (docs.first?.student, docs)
        }
        // Decode once more as a single document to surface the real error.
        _ = try decoder.decode(ResultsDocument.self, from: data)
        return (nil, [])
    }

    /// The end with its text escaped (the runtime escapes it; a hand-made result may not be).
    static func escaped(_ end: ProgramEnd) -> ProgramEnd {
        var end = end
        if case .crashed(let summary, let location) = end.how {
            end.how = .crashed(summary: UntrustedText.escaped(summary), location: location.map { UntrustedText.escaped($0) })
        }
        if case .killed(let signal) = end.how { end.how = .killed(signal: UntrustedText.escaped(signal)) }
        return end
    }

    package static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
