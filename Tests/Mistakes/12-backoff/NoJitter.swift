// mistake: no-jitter
// fails: backs off: 100ms doubling to a 1s cap, with jitter
//
// Waits exactly 100 ms, 200 ms, 400 ms, …: every client that lost the upstream at the same moment
// comes back at the same moments too, a thundering herd at each step.
enum NoJitter {
    static let variant = Variant(wait: { failures in .milliseconds(min(1000, 100 << min(failures, 20))) })
}
