import Foundation

/// How the program under check ended while the check ran, before netlab stopped it: it crashed
/// (a Swift trap, a Go or Rust panic, a Python traceback, a crash signal), it exited, or a
/// signal killed it. A crash whose report was printed counts even when netlab's stop ended the
/// process (a crash report can take longer than a step's bound).
///
/// Filled in by the check runner (``CheckResult/programEnd``) so that whatever shows a
/// failure can say first that the program was gone: "your program crashed: Fatal error: Index
/// out of range at main.swift:83", not "client c2 could not connect: connection refused". All
/// text in it came from the program and is escaped (``UntrustedText``) when it is made.
public struct ProgramEnd: Sendable, Equatable {
    public enum How: Sendable, Equatable {
        /// A crash report: the trap line (`Fatal error: Index out of range`, `panic: runtime
        /// error: …`, `Aborted`) and, when the report names one, the first place in the program's
        /// own source (`main.swift:83`).
        case crashed(summary: String, location: String?)
        /// `exit(N)` or the end of main (Go's `os.Exit`).
        case exited(status: Int32)
        /// Killed by a signal with no crash report (`SIGSEGV`, `SIGKILL`, …).
        case killed(signal: String)
    }

    public var how: How
    /// When it happened, from the start of the check (the start of the program): the first
    /// line of the crash report, or the exit, as netlab saw it.
    public var time: Duration
    /// Whether the program had printed its ready line by then.
    public var afterReady: Bool

    public init(how: How, time: Duration, afterReady: Bool) {
        self.how = how
        self.time = time
        self.afterReady = afterReady
    }

    /// Whether the program crashed (a crash report, or a signal that only a crash sends).
    public var isCrash: Bool {
        switch how {
        case .crashed: true
        case .exited: false
        case .killed(let signal): Self.crashSignals.contains(signal)
        }
    }

    /// Signals that end a program because it crashed, not because someone stopped it.
    package static let crashSignals: Set<String> = ["SIGSEGV", "SIGBUS", "SIGILL", "SIGTRAP", "SIGABRT", "SIGFPE", "SIGSYS"]

    /// What happened, after "your program" or "the server": `crashed: Fatal error: Index out of
    /// range at main.swift:83`, `exited with status 1`, `crashed: it was killed by SIGSEGV`.
    public var what: String {
        switch how {
        case .crashed(let summary, let location):
            return "crashed: \(summary)" + (location.map { " at \($0)" } ?? "")
        case .exited(let status):
            return "exited with status \(status)"
        case .killed(let signal):
            return isCrash ? "crashed: it was killed by \(signal)" : "was killed by \(signal)"
        }
    }

    /// The headline of a failure: `your program crashed: Fatal error: Index out of range at
    /// main.swift:83`, `your program exited with status 1 after its ready line`.
    public var headline: String {
        if isCrash { return "your program \(what)" }
        return "your program \(what)" + (afterReady ? " after its ready line" : " before its ready line")
    }

    /// `+0.420s`
    public var timeText: String {
        let ms = max(0, Int64(time.components.seconds) * 1000 + time.components.attoseconds / 1_000_000_000_000_000)
        return "+\(ms / 1000).\(String(format: "%03d", ms % 1000))s"
    }
}

// MARK: - JSON

extension ProgramEnd: Codable {
    /// `{"kind": "crashed", "summary": "Fatal error: Index out of range", "location": "main.swift:83",
    /// "seconds": 0.42, "after_ready": true}`; `exited` has `status`, `killed` has `signal`.
    enum CodingKeys: String, CodingKey {
        case kind, summary, location, status, signal, seconds
        case afterReady = "after_ready"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch how {
        case .crashed(let summary, let location):
            try c.encode("crashed", forKey: .kind)
            try c.encode(summary, forKey: .summary)
            try c.encodeIfPresent(location, forKey: .location)
        case .exited(let status):
            try c.encode("exited", forKey: .kind)
            try c.encode(status, forKey: .status)
        case .killed(let signal):
            try c.encode("killed", forKey: .kind)
            try c.encode(signal, forKey: .signal)
        }
        let ms = Int64(time.components.seconds) * 1000 + time.components.attoseconds / 1_000_000_000_000_000
        try c.encode(Double(ms) / 1000, forKey: .seconds)
        try c.encode(afterReady, forKey: .afterReady)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "crashed":
            how = .crashed(
                summary: try c.decode(String.self, forKey: .summary),
                location: try c.decodeIfPresent(String.self, forKey: .location))
        case "exited":
            how = .exited(status: try c.decode(Int32.self, forKey: .status))
        case "killed":
            how = .killed(signal: try c.decode(String.self, forKey: .signal))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown program end \(other)")
        }
        let seconds = try c.decode(Double.self, forKey: .seconds)
        guard seconds.isFinite, seconds >= 0, seconds < 1e9 else {
            throw DecodingError.dataCorruptedError(forKey: .seconds, in: c, debugDescription: "seconds out of bounds")
        }
        time = .milliseconds(Int64(seconds * 1000))
        afterReady = try c.decode(Bool.self, forKey: .afterReady)
    }
}
