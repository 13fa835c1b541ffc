import CheckResults
import Foundation

/// `netlab report`: one class table from many students' `--json` files.
///
/// Every file is untrusted: it is read within ``ResultsValidation``'s bounds (a bad file is
/// skipped with a reason, the rest are reported), its names are shown through
/// ``UntrustedText``, and with a class key its signature is checked (``ResultsSignature``): a
/// file whose signature does not verify is shown as such, never counted as its claims.
///
/// A student's files are merged into one row by the name they carry (`netlab check` records it:
/// `--student`, `NETLAB_STUDENT`, `git config user.name` or `USER`): for each lesson the latest
/// attempt (by `generated_at`) counts, with how many attempts there were and when the last one
/// was. A file without a name is a row of its own, named after the file.
public struct ClassReport: Sendable, Equatable {
    /// One check of a student's latest attempt at a lesson.
    public struct CheckOutcome: Sendable, Equatable {
        /// The check's name, escaped for display.
        public var name: String
        /// `pass`, `fail` or `error`.
        public var status: String
    }

    public struct Cell: Sendable, Equatable {
        public var status: String
        public var points: Int
        public var maxPoints: Int
        /// How many results for this lesson the student's files hold.
        public var attempts: Int = 1
        /// When the latest one was written (`generated_at`, ISO 8601), when it says.
        public var latest: String? = nil
        /// The latest attempt's checks, in file order.
        public var checks: [CheckOutcome] = []
    }

    public struct Row: Sendable, Equatable {
        /// The JSON's `student`, or the file name without `.json`; escaped for display.
        public var student: String
        /// The files merged into the row, escaped, joined with ", ".
        public var file: String
        /// By lesson slug. Empty for a file whose signature does not verify.
        public var cells: [String: Cell]
        /// The weakest of the row's files: `unsigned` when any is, `not checked` when any is.
        public var signature: ResultsSignature.Verdict
        /// Whether the name came from the files (and so other files with it merge here).
        var named = false
        public var points: Int { cells.values.map(\.points).saturatingSum() }
        public var maxPoints: Int { cells.values.map(\.maxPoints).saturatingSum() }
        /// Whether the row's claims are shown and counted (not a bad signature).
        public var counted: Bool { if case .bad = signature { false } else { true } }
        /// The latest `generated_at` of any lesson in the row.
        public var latest: String? { cells.values.compactMap(\.latest).max() }
    }

    /// Every lesson any counted file mentions, by number then slug.
    public var lessons: [ResultsJSON.LessonInfo]
    public var rows: [Row]
    /// Files that could not be read, with the reason.
    public var problems: [String]
    /// Whether a class key was given (`report --key`).
    public var keyGiven: Bool

    public init(files: [(name: String, data: Data)], key: ClassKey? = nil) {
        var lessons: [String: ResultsJSON.LessonInfo] = [:]
        var rows: [Row] = []
        var named: [String: Int] = [:]  // student name → index in rows
        var problems: [String] = []
        for file in files {
            let shownName = UntrustedText.escaped(file.name)
            guard file.data.count <= ResultsValidation.fileLimit else {
                problems.append("\(shownName): larger than \(Bytes.size(ResultsValidation.fileLimit)), not a netlab results file")
                continue
            }
            let (verdict, payload) = ResultsSignature.verify(file.data, key: key)
            let base = (file.name as NSString).lastPathComponent
            let fallback = UntrustedText.escaped(base.hasSuffix(".json") ? String(base.dropLast(5)) : base)
            do {
                let (student, docs) = try ResultsJSON.decodeAny(payload)
                let name = student.flatMap { $0.isEmpty ? nil : UntrustedText.escaped(String($0.prefix(ResultsValidation.nameLimit))) }
                if case .bad = verdict {
                    // Shown, so the instructor sees it, but none of its claims are used: not even
                    // the name, which could blame a classmate. The file's name stands for it.
                    rows.append(Row(student: fallback, file: shownName, cells: [:], signature: verdict))
                    continue
                }
                try ResultsValidation.validate(student: student, lessons: docs)
                var row: Row
                if let name, let index = named[name] {
                    row = rows[index]
                    row.file += ", " + shownName
                    row.signature = Self.weaker(row.signature, verdict)
                } else {
                    row = Row(student: name ?? fallback, file: shownName, cells: [:], signature: verdict, named: name != nil)
                }
                for doc in docs {
                    lessons[doc.lesson.slug] = doc.lesson
                    row.cells[doc.lesson.slug] = Self.merged(row.cells[doc.lesson.slug], with: doc)
                }
                if let name, let index = named[name] {
                    rows[index] = row
                } else {
                    if let name { named[name] = rows.count }
                    rows.append(row)
                }
            } catch let invalid as ResultsValidation.Invalid {
                problems.append("\(shownName): \(invalid.reason)")
            } catch {
                if case .bad = verdict {
                    rows.append(Row(student: fallback, file: shownName, cells: [:], signature: verdict))
                } else {
                    problems.append("\(shownName): not a netlab results file (\(UntrustedText.escaped(Self.describe(error))))")
                }
            }
        }
        self.lessons = lessons.values.sorted { ($0.number, $0.slug) < ($1.number, $1.slug) }
        self.rows = rows.sorted { ($0.student.lowercased(), $0.file) < ($1.student.lowercased(), $1.file) }
        self.problems = problems
        self.keyGiven = key != nil
    }

    /// `existing` with one more attempt, `doc`: the later of the two by `generated_at` counts (a
    /// file without a time is older than one with; between two without, the later file counts).
    static func merged(_ existing: Cell?, with doc: ResultsJSON.ResultsDocument) -> Cell {
        let time = doc.generatedAt.map { String($0.prefix(40)) }
        var cell = Cell(
            status: doc.status, points: doc.points, maxPoints: doc.maxPoints, latest: time,
            checks: doc.tests.prefix(ResultsValidation.testLimit).map {
                CheckOutcome(name: UntrustedText.escaped(String($0.name.prefix(ResultsValidation.nameLimit))), status: $0.status)
            })
        guard let existing else { return cell }
        if (existing.latest ?? "") > (time ?? "") { cell = existing }
        cell.attempts = existing.attempts &+ 1
        return cell
    }

    /// The weaker of two files' verdicts (bad files never merge): unsigned, then not checked,
    /// then verified.
    static func weaker(_ a: ResultsSignature.Verdict, _ b: ResultsSignature.Verdict) -> ResultsSignature.Verdict {
        func rank(_ v: ResultsSignature.Verdict) -> Int {
            switch v {
            case .verified: 0
            case .notChecked: 1
            case .unsigned: 2
            case .bad: 3
            }
        }
        return rank(a) >= rank(b) ? a : b
    }
    /// Whether the table needs a signature column: a key was given or some file is signed.
    var showsSignatures: Bool { keyGiven || rows.contains { $0.signature != .unsigned } }

    /// Files whose signature did not verify, as lines for the end of the report.
    package var badSignatures: [String] {
        rows.compactMap { row in
            guard case .bad(let why) = row.signature else { return nil }
            return "\(row.student) (\(row.file)): \(why)"
        }
    }

    /// What the table can and cannot be trusted for, in plain words.
    var trustNote: String {
        if !keyGiven {
            let signed = rows.contains { $0.signature == .notChecked }
            return "Results are self-reported: a results file says whatever its author wrote, and netlab cannot tell an edited one"
                + (signed ? " without the class key (some files are signed: give `--key KEYFILE` to check them)." : ".")
                + " To tell, sign them: the class setup runs `netlab check --json FILE` with a class key"
                + " (`--key KEYFILE` or NETLAB_CLASS_KEY_FILE), and `netlab report --key KEYFILE` checks them (docs/cli.md)."
        }
        return "verified: written by a netlab that had the class key and unchanged since; this does not prove who ran the"
            + " checks, or that netlab was not modified or run under a debugger. unsigned: self-reported, anyone can write it."
            + " BAD SIGNATURE: changed after it was signed (or signed with another key); its claims are not counted."
    }

    func signatureText(_ verdict: ResultsSignature.Verdict, style: Style) -> String {
        switch verdict {
        case .verified: style.green("verified")
        case .unsigned: style.yellow("unsigned")
        case .notChecked: style.dim("not checked")
        case .bad: style.red("BAD SIGNATURE")
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            let path = (ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            return "missing key \(path)"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted:
            return "invalid JSON"
        default:
            return "\(error)"
        }
    }
}
