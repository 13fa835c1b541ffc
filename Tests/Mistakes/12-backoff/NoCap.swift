// mistake: no-cap
// fails: backs off: 100ms doubling to a 1s cap, with jitter
//
// Doubles the wait without a cap: after ten failures it waits about a minute and a half, and an
// upstream that came back after a short outage waits that long for its client.
import Foundation

enum NoCap {
    static let variant = Variant(wait: { failures in
        let full = 100 << min(failures, 20)
        return .milliseconds(Int.random(in: (full / 2)...full))
    })
}
