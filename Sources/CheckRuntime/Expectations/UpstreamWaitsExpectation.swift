import CheckLanguage
import Foundation

/// `expect UP wait N OP EXPR` and `expect UP waits backoff FIRST cap CAP jitter MODE`: the
/// pauses between an upstream's connections (see ``WaitExpectation``).
extension CheckExecution {
    func expectWaits(_ e: WaitExpectation, peer: UpstreamPeer, label: String, vars: [String: Int], at location: SourceLocation) async throws {
        switch e {
        case .one(let index, let comparison, let within):
            let bound = within ?? stepTimeout
            let rhs = try evaluate(comparison.rhs, vars: vars, at: location)
            guard case .duration(let limit) = rhs else { throw CheckError(message: "a wait compares with a duration (\(location))") }
            let note = try await poll(
                until: .now + bound, at: location,
                {
                    let waits = peer.waits()
                    guard waits.count >= index else { return .wait }
                    let wait = waits[index - 1]
                    let expected =
                        "\(comparison.op.rawValue) \(expressionText(comparison.rhs))"
                        + (expressionText(comparison.rhs) == limit.scriptText ? "" : " = \(limit.scriptText)")
                    return compare(wait, comparison.op, limit)
                        ? .pass(
                            "wait \(index) (from the end of connection \(index) to connection \(index + 1)) was \(Self.millis(wait)), expected \(expected)"
                        )
                        : .fail(
                            "expected wait \(index) of upstream \(label) (from the end of connection \(index) to the start of connection \(index + 1)) "
                                + "\(expected); it was \(Self.millis(wait))", [Self.waitList(waits)])
                },
                timeout: {
                    (
                        "expected upstream \(label) to get connection \(index + 1) within \(bound.scriptText), to measure wait \(index); "
                            + "it has accepted \(peer.connections.count)", peer.waits().isEmpty ? [] : [Self.waitList(peer.waits())]
                    )
                })
            if let note { transcript.add("upstream \(label)", note) }
        case .backoff(let rule, let within):
            let bound = within ?? stepTimeout
            let needed = WaitExpectation.Backoff.minimumWaits
            let note = try await poll(
                until: .now + bound, at: location,
                {
                    let waits = peer.waits()
                    guard waits.count >= needed else { return .wait }
                    if let failure = Self.judge(waits, rule) { return .fail(failure, [Self.waitList(waits)]) }
                    return .pass("\(waits.count) waits follow \(Self.describe(rule)): \(Self.waitList(waits))")
                },
                timeout: {
                    (
                        "expected upstream \(label) to see at least \(needed + 1) connections within \(bound.scriptText), to judge "
                            + "\(needed) waits; it has accepted \(peer.connections.count)", []
                    )
                })
            if let note { transcript.add("upstream \(label)", note) }
        }
    }

    /// Why `waits` do not follow `rule`, or nil when they do.
    static func judge(_ waits: [Duration], _ rule: WaitExpectation.Backoff) -> String? {
        for (k, wait) in waits.enumerated() {
            let range = rule.bounds(k)
            if !range.contains(wait) {
                let delay = rule.delay(k)
                let what = wait < range.lowerBound ? "too short" : "too long"
                return "wait \(k + 1) was \(millis(wait)), \(what): \(describe(rule)) allows "
                    + "\(millis(range.lowerBound)) to \(millis(range.upperBound)) there (its full delay is \(millis(delay)), "
                    + "with some slack for a busy machine)"
            }
        }
        guard rule.jitter != .none else { return nil }
        let judged = waits.enumerated().filter { rule.delay($0.offset) >= WaitExpectation.Backoff.jitterMinimumDelay }
        guard !judged.isEmpty else {
            return "no wait so far has a full delay of \(millis(WaitExpectation.Backoff.jitterMinimumDelay)) or more, "
                + "so jitter cannot be judged yet; wait for more connections first"
        }
        let share = WaitExpectation.Backoff.jitterShare
        let jittered = judged.contains { Double(nanoseconds($0.element)) < share * Double(nanoseconds(rule.delay($0.offset))) }
        if jittered { return nil }
        return "no jitter: each of waits \(judged.map { "\($0.offset + 1)" }.joined(separator: ", ")) was at least "
            + "\(Int(share * 100))% of its full delay; with \(rule.jitter.rawValue) jitter some would be shorter. Without jitter "
            + "every client that lost the upstream at the same moment retries at the same moments too"
    }

    static func describe(_ rule: WaitExpectation.Backoff) -> String {
        "backoff \(rule.first.scriptText) cap \(rule.cap.scriptText) jitter \(rule.jitter.rawValue)"
    }

    static func waitList(_ waits: [Duration]) -> String {
        "waits: " + waits.map { millis($0) }.joined(separator: ", ")
    }

    /// Whole milliseconds: `137ms`, `1250ms`.
    static func millis(_ d: Duration) -> String { "\(nanoseconds(d) / 1_000_000)ms" }

    static func nanoseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }
}
