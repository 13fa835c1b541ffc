/// The arithmetic of a bench table: medians, spreads and ratios of the rounds' figures. Every
/// function takes figures that a program under test caused, so none of them traps: non-finite
/// values are left out, a zero baseline gives no ratio, integer differences are checked.
package enum Stats {
    /// The median of the finite values (the mean of the middle two for an even count); nil when none.
    package static func median(_ values: [Double]) -> Double? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let mid = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[mid] }
        // Halved first, so two values near the largest Double do not add up to infinity.
        return sorted[mid - 1] / 2 + sorted[mid] / 2
    }

    /// The median of integers, as a Double (nil when empty).
    package static func median(_ values: [Int]) -> Double? { median(values.map(Double.init)) }

    /// The smallest and largest finite value; nil when none.
    package static func spread(_ values: [Double]) -> ClosedRange<Double>? {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return nil }
        return low...high
    }

    /// The spread as a fraction of the median, `(max − min) / median` (0.08 = ±4 %); nil when
    /// it cannot be said (no values, a zero median).
    package static func relativeSpread(_ values: [Double]) -> Double? {
        guard let range = spread(values), let middle = median(values), middle != 0 else { return nil }
        let value = (range.upperBound - range.lowerBound) / abs(middle)
        return value.isFinite ? value : nil
    }

    /// `value / reference`; nil without either, or for a zero (or non-finite) reference.
    package static func ratio(_ value: Double?, to reference: Double?) -> Double? {
        guard let value, let reference, value.isFinite, reference.isFinite, reference != 0 else { return nil }
        let result = value / reference
        return result.isFinite ? result : nil
    }

    /// `(after − before) / count`, for resident memory or descriptors added per connection;
    /// nil when count is not positive or the difference overflows.
    package static func perConnection(before: Int, after: Int, count: Int) -> Double? {
        guard count > 0 else { return nil }
        let (delta, overflow) = after.subtractingReportingOverflow(before)
        guard !overflow else { return nil }
        return Double(delta) / Double(count)
    }
}
