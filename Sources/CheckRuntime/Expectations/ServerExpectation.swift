import CheckLanguage
import CheckResults
import Foundation
import ProcessSupervision

/// `expect server …`: its log, its being alive or having exited, its metrics.
extension CheckExecution {
    func runningMetrics(at location: SourceLocation) throws -> ProcessMetrics {
        guard let process else { throw StepFailure(message: notReady, location: location) }
        guard let metrics = process.metrics() else {
            throw StepFailure(
                message: "the server is not running: it \(process.exitStatus?.description ?? "has gone")",
                details: lastLogLines(), location: location)
        }
        return metrics
    }

    func expectServer(_ e: ServerExpectation, vars: [String: Int]) async throws {
        let started = ContinuousClock.now
        let location = e.location
        switch e.condition {
        case .log(let pattern, let within):
            let bound = within ?? stepTimeout
            let (regex, shown) = try compiled(pattern, at: location)
            // Lines already tried against this pattern are not tried again.
            var next = 0
            let note = try await poll(
                until: started + bound, at: location,
                {
                    // Whether the program had ended, with all its output read, before the lines
                    // are looked at: read after them, a look that stalled between the two could
                    // see the end and miss the last lines, which came in the meantime.
                    let ended = process.map { $0.exitStatus != nil && $0.outputClosed } ?? false
                    let lines = process?.lines(from: next).filter { $0.stream == .stderr } ?? []
                    let used = usedLogLines.withLock { $0 }
                    if let last = lines.last { next = last.sequence + 1 }
                    let candidates = lines.filter { !used.contains($0.sequence) && isAfterEventMark($0) }
                    let outcome = await PatternMatcher.shared.firstMatchingLine(regex, in: candidates.map(\.text), until: started + bound)
                    if let index = try matched(outcome, pattern: shown, at: location)?.lowerBound {
                        let line = candidates[index]
                        usedLogLines.withLock { _ = $0.insert(line.sequence) }
                        return .pass("log \(shown) matched \(Bytes.quoted(Array(line.text.utf8), limit: 120))")
                    }
                    if ended, let process, let status = process.exitStatus {
                        return .fail(
                            "expected a line of the server's log to match \(shown); none did, and the server \(status)",
                            lastLogLines())
                    }
                    return .wait
                },
                timeout: {
                    let all = process?.lines.filter { $0.stream == .stderr } ?? []
                    let early = all.filter { !isAfterEventMark($0) }
                    // Through the matcher too: a slow pattern only loses this explanation.
                    let earlyOutcome = await PatternMatcher.shared.firstMatchingLine(regex, in: early.map(\.text), until: .now)
                    let earlyMatch = if case .done(let range?) = earlyOutcome { early[range.lowerBound] } else { Optional<OutputLine>.none }
                    var why = ""
                    if let earlyMatch {
                        why =
                            "; \(Bytes.quoted(Array(earlyMatch.text.utf8), limit: 120)) matched, but it was logged before the"
                            + " event it is about (the reset, close or timeout earlier in this check), so it does not count"
                    } else if !all.isEmpty && usedLogLines.withLock({ !$0.isEmpty }) {
                        why = " (lines matched by earlier log steps do not count)"
                    }
                    return (
                        "expected a line of the server's log to match \(shown) within \(bound.scriptText); none of its \(all.count) lines did" + why,
                        lastLogLines()
                    )
                })
            if let note { transcript.add("netlab", note) }

        case .noLog(let pattern, let duration):
            let (regex, shown) = try compiled(pattern, at: location)
            var next = 0  // lines already tried are not tried again
            _ = try await poll(
                until: started + (duration ?? .zero), at: location,
                {
                    let lines = process?.lines(from: next).filter { $0.stream == .stderr } ?? []
                    if let last = lines.last { next = last.sequence + 1 }
                    let outcome = await PatternMatcher.shared.firstMatchingLine(regex, in: lines.map(\.text), until: started + (duration ?? .zero))
                    if let index = try matched(outcome, pattern: shown, at: location)?.lowerBound {
                        let line = lines[index]
                        return .fail(
                            "expected no line of the server's log to match \(shown); it logged \(Bytes.quoted(Array(line.text.utf8), limit: 120))", []
                        )
                    }
                    return .wait
                }, timeout: { nil })
            transcript.add("netlab", "no log line matched \(shown)" + (duration.map { " for \($0.scriptText)" } ?? ""))

        case .logCount(let pattern, let comparison, let duration, let within):
            try await expectLogCount(pattern, comparison, for: duration, within: within, vars: vars, started: started, at: location)

        case .alive(let duration):
            guard let process else { throw StepFailure(message: notReady, location: location) }
            _ = try await poll(
                until: started + (duration ?? .zero), at: location,
                {
                    if let status = process.exitStatus {
                        return .fail(
                            "expected the server to be running" + (duration.map { " for \($0.scriptText)" } ?? "")
                                + "; it \(status)" + (process.exitTime.map { $0 > started ? " \(seconds($0 - started)) into the step" : "" } ?? ""),
                            lastLogLines())
                    }
                    return .wait
                }, timeout: { nil })
            transcript.add("netlab", "server alive" + (duration.map { " for \($0.scriptText)" } ?? ""))

        case .exited(let status, let within):
            let bound = within ?? stepTimeout
            guard let process else { throw StepFailure(message: notReady, location: location) }
            guard let exit = await process.waitExit(timeout: bound) else {
                try Task.checkCancellation()
                throw StepFailure(message: "expected the server to exit within \(bound.scriptText); it is still running", location: location)
            }
            if let status, exit != .exited(Int32(truncatingIfNeeded: status)) {
                throw StepFailure(
                    message: "expected the server to exit with status \(status); it \(exit)", details: lastLogLines(), location: location)
            }
            transcript.add("netlab", "server \(exit)")

        case .cpuUsage(let usage):
            try await expectCPUUsage(usage, at: location)

        case .metric(let metric, let comparison, let within):
            let bound = within ?? stepTimeout
            let rhs = try evaluate(comparison.rhs, vars: vars, at: location)
            var last: Measured?
            let note = try await poll(
                until: started + bound, at: location,
                {
                    let metrics = try runningMetrics(at: location)
                    let value = metrics.measured(metric)
                    last = value
                    let holds: Bool =
                        switch (value, rhs) {
                        case (.count(let a), .count(let b)): compare(a, comparison.op, b)
                        case (.duration(let a), .duration(let b)): compare(a, comparison.op, b)
                        default: false
                        }
                    return holds
                        ? .pass(
                            "server \(metric.rawValue) = \(text(value, metric.quantity)), expected \(comparison.op.rawValue) "
                                + "\(expressionText(comparison.rhs)) = \(text(rhs, metric.quantity))") : .wait
                },
                timeout: {
                    (
                        "expected the server's \(metric.rawValue) \(comparison.op.rawValue) \(expressionText(comparison.rhs))"
                            + (expressionText(comparison.rhs) == text(rhs, metric.quantity) ? "" : " = \(text(rhs, metric.quantity))")
                            + " within \(bound.scriptText); it was \(last.map { text($0, metric.quantity) } ?? "unknown")", []
                    )
                })
            if let note { transcript.add("netlab", note) }
        }
    }

    /// The server's last stderr lines, for failures about a server that is not there.
    func lastLogLines() -> [String] {
        guard let process else { return [] }
        let lines = process.lastStderrLines(400).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        if lines.isEmpty { return nothingOnStderr() }
        // A Swift crash report ends with registers and images; what matters is the lines before
        // it and its first lines (`Fatal error: …`, `*** Program crashed: … ***`).
        if let start = lines.firstIndex(where: { $0.contains("Fatal error:") || $0.hasPrefix("*** Signal") || $0.hasPrefix("*** Program crashed") }) {
            var shown = Array(lines[max(0, start - 3)...start])
            if let crashed = lines[start...].first(where: { $0.hasPrefix("*** Program crashed") }), !shown.contains(crashed) {
                shown.append(crashed)
            }
            return ["its stderr, where it crashed:"] + shown.map { "  " + $0 }
        }
        return ["its last lines on stderr:"] + lines.suffix(5).map { "  " + $0 }
    }
}
