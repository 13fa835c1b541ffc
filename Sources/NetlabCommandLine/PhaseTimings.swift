import Foundation
import Synchronization

/// Where one `netlab` command spent its time: the lesson's build (`swift build`) and the checks.
/// With `NETLAB_TIMINGS=1` in the environment, netlab prints them on stderr when it ends, so a
/// benchmark can tell netlab's own overhead from the compiler's and the checks' time.
public final class PhaseTimings: Sendable {
    private let phases = Mutex<[(name: String, duration: Duration)]>([])

    public init() {}

    public func add(_ name: String, _ duration: Duration) {
        phases.withLock { $0.append((name, duration)) }
    }

    /// `netlab timings: build=812ms checks=1203ms` (each phase summed over the run).
    public var summary: String {
        let all = phases.withLock { $0 }
        var totals: [(String, Duration)] = []
        for (name, d) in all {
            if let i = totals.firstIndex(where: { $0.0 == name }) { totals[i].1 += d } else { totals.append((name, d)) }
        }
        let parts = totals.map { name, d in
            "\(name)=\(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)ms"
        }
        return "netlab timings: " + (parts.isEmpty ? "none" : parts.joined(separator: " "))
    }
}
