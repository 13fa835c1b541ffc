// mistake: non-cumulative-buckets
// fails: times every broadcast in a cumulative histogram
//
// Each bucket shows the observations between its bound and the one before (its own count),
// not every observation up to its bound. Prometheus's parser takes it; every quantile computed
// from it is wrong, and the counts go down from one bucket to the next, which the format's rule
// refuses (netlab's reader does; promtool 2.42 does not look at the counts).
enum NonCumulativeBuckets {
    /// The count written for a bucket: its own, not the running total.
    static func bucket(own: Int, cumulative: Int) -> Int { own }
}
