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
    ///
    /// `components` traps when the seconds do not fit an Int64 (a deadline of `.now` plus
    /// `.seconds(Int64.max)` twice over, say), so durations past Int64's nanoseconds (292 years)
    /// saturate before it is asked.
    var nanosecondsClamped: Int64 {
        if self >= .seconds(Int64.max / 1_000_000_000) { return .max }
        if self <= .seconds(Int64.min / 1_000_000_000) { return .min }
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = ns.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }
}
