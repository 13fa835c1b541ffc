import CheckLanguage
import Foundation

/// How an expectation waits: it looks again and again until it passes, fails, or its bound runs out.
extension CheckExecution {
    enum Verdict {
        case pass(String?)
        case fail(String, [String])
        case wait
    }

    /// Polls until `evaluate` passes or fails, or the bound runs out (then `timeout` says why).
    func poll(
        until deadline: ContinuousClock.Instant, at location: SourceLocation,
        _ evaluate: () async throws -> Verdict, timeout: () async -> (String, [String])?
    ) async throws -> String? {
        // 1 ms at first, backing off to 10 ms: quick for one client, light for `parallel 1000`.
        var interval = Duration.milliseconds(1)
        while true {
            switch try await evaluate() {
            case .pass(let note): return note
            case .fail(let message, let details): throw StepFailure(message: message, details: details, location: location)
            case .wait: break
            }
            if ContinuousClock.now >= deadline {
                // One last look: what arrived just now counts.
                if case .pass(let note) = try await evaluate() { return note }
                // Steps that take exactly their duration (silence, alive for, no log for) pass here.
                guard let (message, details) = await timeout() else { return nil }
                throw StepFailure(message: message, details: details, location: location)
            }
            let remaining = deadline - ContinuousClock.now
            try await Task.sleep(for: max(.zero, min(interval, remaining)))
            interval = min(interval * 2, .milliseconds(10))
        }
    }
}
