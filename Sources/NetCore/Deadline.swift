/// An absolute point in time after which I/O fails with `NetError.Code.deadlineExceeded`.
/// `nil` means no deadline (Go's zero `time.Time`).
public typealias Deadline = ContinuousClock.Instant

extension ContinuousClock.Instant {
    /// The deadline `duration` from now: `.after(.seconds(5))` reads like Go's
    /// `time.Now().Add(5 * time.Second)`.
    public static func after(_ duration: Duration) -> ContinuousClock.Instant {
        ContinuousClock.now.advanced(by: duration)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at Int64's range.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = ns.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }
}
