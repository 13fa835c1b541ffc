/// A latency histogram in log2 buckets of microseconds, as netload prints it (`hist=c0,c1,…`):
/// bucket 0 holds [0, 2) µs, bucket i holds [2^i, 2^(i+1)) µs.
package struct LatencyHistogram: Sendable, Equatable {
    /// The most buckets kept (netload's HIST_BUCKETS): the last one holds everything above.
    package static let bucketLimit = 32

    package var counts: [UInt64]

    package init(counts: [UInt64]) { self.counts = Array(counts.prefix(Self.bucketLimit)) }

    /// The counts of netload's `hist=` value; nil when it is not a comma-separated list of counts.
    package init?(netload text: String) {
        guard !text.isEmpty else { self.init(counts: []); return }
        var counts: [UInt64] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let count = UInt64(part) else { return nil }
            counts.append(count)
        }
        self.init(counts: counts)
    }

    /// The bucket-wise sum of several rounds' histograms (saturating, never trapping).
    package static func merged(_ histograms: [[UInt64]]) -> LatencyHistogram {
        var counts = [UInt64](repeating: 0, count: min(histograms.map(\.count).max() ?? 0, bucketLimit))
        for histogram in histograms {
            for (i, count) in histogram.prefix(bucketLimit).enumerated() {
                let (sum, overflow) = counts[i].addingReportingOverflow(count)
                counts[i] = overflow ? .max : sum
            }
        }
        return LatencyHistogram(counts: counts)
    }

    /// The lower bound of bucket `index`, in microseconds.
    package static func lowerBound(_ index: Int) -> Double { index == 0 ? 0 : Double(1 << index) }

    /// The first and last bucket that hold anything; nil when empty.
    package var occupied: ClosedRange<Int>? {
        guard let first = counts.firstIndex(where: { $0 > 0 }), let last = counts.lastIndex(where: { $0 > 0 }) else { return nil }
        return first...last
    }

    /// The total count (saturating).
    package var total: UInt64 {
        counts.reduce(0) { sum, count in
            let (value, overflow) = sum.addingReportingOverflow(count)
            return overflow ? .max : value
        }
    }
}
