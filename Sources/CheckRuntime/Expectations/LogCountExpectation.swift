import CheckLanguage
import Foundation

/// `expect server log /re/ count OP EXPR [for T | within T]`: how many lines of the server's log match.
///
/// Counts every line of the run (stderr only), not only those after the event mark, and takes
/// each line once as it arrives, so a program that logs faster than netlab keeps lines still
/// has each of them counted. Without `for` or `within`, the count is compared once; with `for`,
/// the comparison must hold at every look until T has passed (a burst of lines fails as soon as
/// it exceeds an upper bound); with `within`, it must come to hold before T has passed (the
/// 200th `closed` line may still be on its way when the step begins).
extension CheckExecution {
    func expectLogCount(
        _ pattern: Pattern, _ comparison: Comparison, for duration: Duration?, within: Duration? = nil, vars: [String: Int],
        started: ContinuousClock.Instant, at location: SourceLocation
    ) async throws {
        let (regex, shown) = try compiled(pattern, at: location)
        guard case .count(let bound) = try evaluate(comparison.rhs, vars: vars, at: location) else {
            throw StepFailure(message: "`count` compares with a count", location: location)
        }
        var next = 0
        var count = 0
        let op = comparison.op.rawValue
        if let within {
            // Counts what arrives until the comparison holds, or fails with the count at T.
            _ = try await poll(
                until: started + within, at: location,
                {
                    let lines = process?.lines(from: next) ?? []
                    if let last = lines.last { next = last.sequence + 1 }
                    let stderr = lines.filter { $0.stream == .stderr }.map(\.text)
                    let outcome = await PatternMatcher.shared.countMatchingLines(regex, in: stderr, until: started + within)
                    count += try matched(outcome, pattern: shown, at: location)?.count ?? 0
                    return compare(count, comparison.op, bound) ? .pass(nil) : .wait
                },
                timeout: {
                    (
                        "expected the number of log lines matching \(shown) to be \(op) \(bound) within \(within.scriptText); it was \(count)",
                        lastLogLines()
                    )
                })
            transcript.add("netlab", "\(count) log lines matched \(shown) (\(op) \(bound), within \(within.scriptText))")
            return
        }
        _ = try await poll(
            until: started + (duration ?? .zero), at: location,
            {
                let lines = process?.lines(from: next) ?? []
                if let last = lines.last { next = last.sequence + 1 }
                let stderr = lines.filter { $0.stream == .stderr }.map(\.text)
                let outcome = await PatternMatcher.shared.countMatchingLines(regex, in: stderr, until: started + (duration ?? .zero))
                count += try matched(outcome, pattern: shown, at: location)?.count ?? 0
                if !compare(count, comparison.op, bound) {
                    let elapsed = ContinuousClock.now - started
                    let when = duration == nil ? "" : elapsed < .milliseconds(10) ? " when the step began" : ", \(seconds(elapsed)) into the step"
                    return .fail(
                        "expected the number of log lines matching \(shown) to be \(op) \(bound); it was \(count)\(when)",
                        lastLogLines())
                }
                return .wait
            }, timeout: { nil })
        transcript.add(
            "netlab",
            "\(count) log lines matched \(shown) (\(op) \(bound))"
                + (duration.map { " all through \($0.scriptText)" } ?? ""))
    }
}
