import Foundation

/// The outcome of one graded check. Shared by the check runner (which produces it) and the CLI,
/// reports and machine-readable results (which consume it).
public struct CheckResult: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable, Codable {
        /// Every step held.
        case pass
        /// A step did not hold: the learner's program behaved differently than expected.
        case fail
        /// The check could not be run (the program did not build or never became ready, a
        /// fixture is missing, …). Exercism's `error`.
        case error
    }

    /// The check's name as written in `checks.netlab`.
    public var name: String
    public var status: Status
    /// Points earned: `maxPoints` on a pass, 0 otherwise.
    public var points: Int
    public var maxPoints: Int
    /// One sentence saying what went wrong (nil on a pass), e.g.
    /// `expected "hi\n" from client b within 1s, got nothing (checks.netlab:14:3)`.
    public var message: String?
    /// The transcript: every step, the bytes sent and received, the server's log lines
    /// interleaved in time order, what was expected. Plain text, no colour codes.
    public var transcript: String
    /// The check's hint, if it has one.
    public var hint: String?
    /// Where the check starts in its script (`checks.netlab:12:1`).
    public var location: String
    /// 1-based position of the check in its script (Exercism's `task_id`).
    public var index: Int
    public var duration: Duration
    /// How the program ended while the check ran, before netlab stopped it (it crashed, exited,
    /// or was killed); nil while it ran to the end. On a failure the runner's `message` already
    /// starts with it where it is news (``ProgramEnd/headline``).
    public var programEnd: ProgramEnd?
    /// Figures the check measured for the learner to see beside its verdict, pass or fail:
    /// `the server used 97.4% of a core over 2s (1.948s of CPU time) while every client was idle`.
    /// Made by netlab, not by the program.
    public var figures: [String]

    public init(
        name: String, status: Status, points: Int, maxPoints: Int, message: String?, transcript: String,
        hint: String?, location: String, index: Int, duration: Duration, programEnd: ProgramEnd? = nil,
        figures: [String] = []
    ) {
        self.name = name
        self.status = status
        self.points = points
        self.maxPoints = maxPoints
        self.message = message
        self.transcript = transcript
        self.hint = hint
        self.location = location
        self.index = index
        self.duration = duration
        self.programEnd = programEnd
        self.figures = figures
    }
}

/// The outcome of grading one lesson.
public struct LessonResult: Sendable, Equatable {
    /// The lesson's number (4) and folder name (`04-proxy`).
    public var number: Int
    public var slug: String
    public var title: String
    /// Set when nothing could be graded: the build failed, the script does not parse, …
    /// (Exercism's top-level `error` with its `message`).
    public var error: String?
    public var checks: [CheckResult]

    public init(number: Int, slug: String, title: String, error: String?, checks: [CheckResult]) {
        self.number = number
        self.slug = slug
        self.title = title
        self.error = error
        self.checks = checks
    }

    public var points: Int { checks.map(\.points).saturatingSum() }
    public var maxPoints: Int { checks.map(\.maxPoints).saturatingSum() }
    public var passed: Bool { error == nil && !checks.isEmpty && checks.allSatisfy { $0.status == .pass } }
}

extension Sequence<Int> {
    /// The sum, held at `Int.max` (or `Int.min`) instead of trapping when it overflows: a total
    /// of points must never crash netlab, whatever a script or a results file says.
    public func saturatingSum() -> Int {
        reduce(0) { total, value in
            let (sum, overflow) = total.addingReportingOverflow(value)
            return overflow ? (value > 0 ? Int.max : Int.min) : sum
        }
    }
}
