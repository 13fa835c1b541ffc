import CheckResults
import Foundation

/// The learner's progress, kept in `.netlab/state.json` at the package root: lessons passed (with
/// when), hints shown per lesson, and the last check results. Keyed by lesson folder (`04-proxy`)
/// so renumbering never mixes two lessons up.
public struct WorkbookState: Codable, Sendable, Equatable {
    public struct CheckSummary: Codable, Sendable, Equatable {
        public var name: String
        public var status: CheckResult.Status
        public var points: Int
        public var maxPoints: Int

        public init(name: String, status: CheckResult.Status, points: Int, maxPoints: Int) {
            self.name = name
            self.status = status
            self.points = points
            self.maxPoints = maxPoints
        }
    }

    public struct LastCheck: Codable, Sendable, Equatable {
        public var at: Date
        public var passed: Bool
        public var points: Int
        public var maxPoints: Int
        /// Set when nothing could be graded (build failed, …).
        public var error: String?
        /// True when graded with `--solution` or `--cmd`: such runs never mark a lesson passed.
        public var other: Bool?
        public var checks: [CheckSummary]

        public init(at: Date, passed: Bool, points: Int, maxPoints: Int, error: String?, other: Bool? = nil, checks: [CheckSummary]) {
            self.at = at
            self.passed = passed
            self.points = points
            self.maxPoints = maxPoints
            self.error = error
            self.other = other
            self.checks = checks
        }
    }

    public struct LessonProgress: Codable, Sendable, Equatable {
        /// When the learner's own program first passed every check.
        public var passedAt: Date?
        /// When the learner's own program last passed every check (nil in files written before
        /// netlab kept it: then ``passedAt``).
        public var lastPassedAt: Date?
        /// How many hints `netlab hint` has shown (the next one is `hintsShown + 1`).
        public var hintsShown: Int
        /// The last grading of any program (the learner's, the solution, a `--cmd`).
        public var lastCheck: LastCheck?
        /// The last grading of the learner's own program: what `netlab list` reports. A later
        /// `--solution` or `--cmd` run never replaces it.
        public var lastOwnCheck: LastCheck?

        public init(
            passedAt: Date? = nil, lastPassedAt: Date? = nil, hintsShown: Int = 0, lastCheck: LastCheck? = nil,
            lastOwnCheck: LastCheck? = nil
        ) {
            self.passedAt = passedAt
            self.lastPassedAt = lastPassedAt
            self.hintsShown = hintsShown
            self.lastCheck = lastCheck
            self.lastOwnCheck = lastOwnCheck
        }

        /// The learner's last own check: ``lastOwnCheck``, or in older files ``lastCheck`` when
        /// it was the learner's.
        package var ownCheck: LastCheck? {
            lastOwnCheck ?? (lastCheck?.other == true ? nil : lastCheck)
        }
    }

    public var version: Int
    public var lessons: [String: LessonProgress]

    public init(version: Int = 1, lessons: [String: LessonProgress] = [:]) {
        self.version = version
        self.lessons = lessons
    }

    public subscript(slug: String) -> LessonProgress {
        get { lessons[slug] ?? LessonProgress() }
        set { lessons[slug] = newValue }
    }

    /// Records a grading of the learner's program (`other` false) or of a solution / `--cmd`
    /// program (`other` true, which never marks the lesson passed).
    public mutating func record(_ result: LessonResult, at date: Date, other: Bool = false) {
        var progress = self[result.slug]
        let check = LastCheck(
            at: date, passed: result.passed, points: result.points, maxPoints: result.maxPoints,
            error: result.error, other: other ? true : nil,
            checks: result.checks.map { CheckSummary(name: $0.name, status: $0.status, points: $0.points, maxPoints: $0.maxPoints) })
        progress.lastCheck = check
        if !other {
            progress.lastOwnCheck = check
            if result.passed {
                if progress.passedAt == nil { progress.passedAt = date }
                progress.lastPassedAt = date
            }
        }
        self[result.slug] = progress
    }

    /// Where the learner's own program stands, for `netlab list`: the last check of it decides,
    /// so a lesson that passed once and fails now (after `netlab reset`, or an edit that broke
    /// it) says so.
    public func status(of slug: String) -> LessonStatus {
        let p = self[slug]
        let passed = p.lastPassedAt ?? p.passedAt
        guard let last = p.ownCheck else { return passed != nil ? .passed : .notStarted }
        if last.passed { return .passed }
        // A file from before netlab kept lastOwnCheck: a pass recorded after this check wins.
        if p.lastOwnCheck == nil, let passed, passed > last.at { return .passed }
        if let passed { return .passedEarlier(passed: passed, failing: last.at) }
        return .failing
    }

    /// Whether the learner's own program has passed every check at least once.
    public func hasPassed(_ slug: String) -> Bool {
        self[slug].passedAt != nil
    }
}

public enum LessonStatus: Sendable, Equatable {
    /// The last check of the learner's program passed.
    case passed
    /// The learner's program never passed, and its last check failed.
    case failing
    /// The learner's program passed on `passed` (its last pass), and its last check (on
    /// `failing`) failed: after `netlab reset`, or an edit that broke it.
    case passedEarlier(passed: Date, failing: Date)
    /// Never checked (a `--solution` or `--cmd` run does not count).
    case notStarted

    /// Whether the lesson counts as done now.
    public var isPassed: Bool { self == .passed }
}

/// Loads and saves `.netlab/state.json`. Saving writes a temporary file and renames it, so a
/// crash never leaves half a file; a missing or unreadable file is an empty state (the broken file
/// is kept as `state.json.broken` so nothing is silently lost).
public struct StateStore: Sendable {
    public var file: URL

    public init(root: URL) {
        file = root.appendingPathComponent(".netlab/state.json")
    }

    public init(file: URL) {
        self.file = file
    }

    public func load() -> WorkbookState {
        guard let data = try? Data(contentsOf: file) else { return WorkbookState() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        if let state = try? decoder.decode(WorkbookState.self, from: data) { return state }
        try? FileManager.default.removeItem(at: file.appendingPathExtension("broken"))
        try? FileManager.default.copyItem(at: file, to: file.appendingPathExtension("broken"))
        return WorkbookState()
    }

    public func save(_ state: WorkbookState) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(state)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file, options: .atomic)
    }

    /// Loads, changes and saves in one go.
    @discardableResult
    public func update(_ change: (inout WorkbookState) -> Void) throws -> WorkbookState {
        var state = load()
        change(&state)
        try save(state)
        return state
    }
}
