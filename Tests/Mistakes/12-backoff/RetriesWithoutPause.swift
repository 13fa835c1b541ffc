// mistake: retries-without-pause
// fails: backs off: 100ms doubling to a 1s cap, with jitter
//
// Dials again the moment a dial fails: against an upstream that is down this is a loop that
// burns a core and floods the upstream's host with SYNs the moment it comes back.
enum RetriesWithoutPause {
    static let variant = Variant(wait: { _ in .zero })
}
