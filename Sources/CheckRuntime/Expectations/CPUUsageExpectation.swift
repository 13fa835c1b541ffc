import CheckLanguage
import CheckResults
import Foundation

/// `expect server cpu-usage OP PERCENT for T`: how busy the server is over a window.
extension CheckExecution {
    /// Measures the server's CPU time (user + system, from /proc) at the start and the end of
    /// the window, and compares what it used, as a percentage of the time that passed (of one
    /// core), with the bound. The figure is in the transcript whether the step passes or fails.
    func expectCPUUsage(_ usage: CPUUsage, at location: SourceLocation) async throws {
        let before = try runningMetrics(at: location)
        let sentBefore = clientBytesSent.withLock { $0 }
        let started = ContinuousClock.now
        guard let process else { throw StepFailure(message: notReady, location: location) }
        // Waits out the window, failing at once if the server exits during it.
        _ = try await poll(
            until: started + usage.window, at: location,
            {
                if let status = process.exitStatus {
                    return .fail(
                        "expected the server's cpu-usage \(usage.op.rawValue) \(CPUUsage.text(usage.percent)) over "
                            + "\(usage.window.scriptText); it \(status) before the window was over", lastLogLines())
                }
                return .wait
            }, timeout: { nil })
        let after = try runningMetrics(at: location)
        let elapsed = ContinuousClock.now - started
        let used = max(.zero, after.cpu - before.cpu)
        let percent = elapsed > .zero ? used / elapsed * 100 : 0
        let idle = clientBytesSent.withLock { $0 } == sentBefore
        let figure =
            "the server used \(Self.percentFigure(percent)) of a core over \(usage.window.scriptText) "
            + "(\(seconds(used)) of CPU time)" + (idle ? " while every client was idle" : "")
        let bound = "cpu-usage \(usage.op.rawValue) \(CPUUsage.text(usage.percent))"
        transcript.addFigure(figure)
        guard compare(percent, usage.op, usage.percent) else {
            transcript.add("netlab", "\(figure); expected \(bound)")
            throw StepFailure(message: "expected \(bound) for \(usage.window.scriptText): \(figure)", location: location)
        }
        transcript.add("netlab", "\(figure), expected \(bound)")
    }

    /// `97.4%`: one decimal, as the verdict shows a CPU figure.
    static func percentFigure(_ value: Double) -> String {
        String(format: "%.1f%%", value)
    }
}
