// The solution's metrics (solutions/14-metrics/main.swift without its entry, which main.swift
// has), with a switch at each place a mistake file changes.
import Foundation
import LessonKit
import Synchronization

/// The mistake chosen by NETLAB_MISTAKE.
enum Mistake: String {
    case gaugeNeverDecrements = "gauge-never-decrements"
    case nonCumulativeBuckets = "non-cumulative-buckets"
    case unescapedLabels = "unescaped-labels"
    case sentPerBroadcast = "sent-per-broadcast"

    static let current = Mistake(rawValue: ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] ?? "")
}

/// Every metric of the chat. Each method is called by the given code as things happen; one
/// lock keeps them, so that a scrape is a snapshot: its `+Inf` bucket and `_count` always agree.
/// Go: the `prometheus.NewGauge`, `NewCounter`, `NewCounterVec` and `NewHistogram` of a
/// registry, and `promhttp.Handler()` writing them.
final class Metrics: Sendable {
    /// The upper bounds of `chat_broadcast_duration_seconds`'s buckets, in seconds, as they are
    /// written in `le`. The last bucket, `+Inf`, is not among them: it counts every observation.
    static let buckets = ["0.0001", "0.001", "0.01", "0.1", "1"]

    private struct State {
        var active = 0
        var received = 0
        var sent = 0
        var errors: [ErrorKind: Int] = [:]
        /// Observations per bucket, not cumulative: `buckets[i]` counts those over the bound
        /// before it and at most `Metrics.buckets[i]`. The exposition adds them up.
        var buckets = [Int](repeating: 0, count: Metrics.buckets.count)
        var count = 0
        var sum = 0.0
    }

    private let state = Mutex(State())
    private let serverName: String
    private let bounds = Metrics.buckets.map { Double($0) ?? 0 }

    init(serverName: String) { self.serverName = serverName }

    /// A client's handshake succeeded: `chat_connections_active` + 1.
    func clientJoined() { state.withLock { $0.active += 1 } }

    /// A joined client's connection ended, however: `chat_connections_active` - 1.
    func clientLeft() {
        state.withLock { state in
            if Mistake.current == .gaugeNeverDecrements { GaugeNeverDecrements.leave(&state.active) } else { state.active -= 1 }
        }
    }

    /// A whole message came from a client: `chat_messages_received_total` + 1.
    func messageReceived() { state.withLock { $0.received += 1 } }

    /// A broadcast queued the message for `clients` clients: `chat_messages_sent_total` + clients.
    func messagesSent(_ clients: Int) {
        state.withLock { state in
            state.sent += Mistake.current == .sentPerBroadcast ? SentPerBroadcast.copies(clients) : clients
        }
    }

    /// A connection ended in an error of this kind: `chat_errors_total{kind="…"}` + 1.
    func connectionFailed(_ kind: ErrorKind) { state.withLock { $0.errors[kind, default: 0] += 1 } }

    /// One broadcast took `duration`: one observation of `chat_broadcast_duration_seconds`.
    func observeBroadcast(_ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        state.withLock { state in
            if let bucket = bounds.firstIndex(where: { seconds <= $0 }) { state.buckets[bucket] += 1 }
            state.count += 1
            state.sum += seconds
        }
    }

    /// Every metric in Prometheus's text format: for each family its `# HELP` and `# TYPE`
    /// lines, then its samples; every line ends with `\n`.
    func exposition() -> String {
        let s = state.withLock { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family("chat_connections_active", "gauge", "WebSocket clients connected now.")
        out += "chat_connections_active \(s.active)\n"
        family("chat_messages_received_total", "counter", "Whole messages received from clients.")
        out += "chat_messages_received_total \(s.received)\n"
        family("chat_messages_sent_total", "counter", "Messages queued for clients: one per client that a broadcast reached.")
        out += "chat_messages_sent_total \(s.sent)\n"
        family("chat_errors_total", "counter", "Connections that ended in an error, by kind.")
        for kind in ErrorKind.allCases {
            out += "chat_errors_total{kind=\"\(escapeLabelValue(kind.rawValue))\"} \(s.errors[kind] ?? 0)\n"
        }
        family("chat_broadcast_duration_seconds", "histogram", "Time to queue one message for every client.")
        var cumulative = 0
        for (le, n) in zip(Metrics.buckets, s.buckets) {
            cumulative += n
            let shown = Mistake.current == .nonCumulativeBuckets ? NonCumulativeBuckets.bucket(own: n, cumulative: cumulative) : cumulative
            out += "chat_broadcast_duration_seconds_bucket{le=\"\(le)\"} \(shown)\n"
        }
        out += "chat_broadcast_duration_seconds_bucket{le=\"+Inf\"} \(s.count)\n"
        out += "chat_broadcast_duration_seconds_sum \(s.sum)\n"
        out += "chat_broadcast_duration_seconds_count \(s.count)\n"
        family("chat_server_info", "gauge", "The server's name (--name) as a label; always 1.")
        out += "chat_server_info{name=\"\(escapeLabelValue(serverName))\"} 1\n"
        return out
    }
}

/// A label value as the text format writes it between its quotes: `\` as `\\`, `"` as `\"`, a
/// newline as `\n`; everything else as it is.
func escapeLabelValue(_ value: String) -> String {
    if Mistake.current == .unescapedLabels { return UnescapedLabels.escape(value) }
    var out = ""
    for c in value.unicodeScalars {
        switch c {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}
