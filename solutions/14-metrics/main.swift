// Lesson 14 — /metrics: the solution. Lesson 13's chat, counted, and the counts served on a
// second listener in Prometheus's text format.
//
// This file is the lesson: the metrics, and their exposition. Given beside it: Frames.swift
// (lesson 13's frames and messages), Hub.swift and Connection.swift (lesson 13's, calling the
// metrics), MetricsHTTP.swift (GET /metrics), and lesson 13's Client.swift, Upgrade.swift and
// Protocol.swift.
import LessonKit
import NetCore
import Synchronization

LessonProgram.run(flags: Settings.flags) { options, log in
    let settings = Settings(options)
    let metrics = Metrics(serverName: settings.name)
    let hub = Hub(log: log, metrics: metrics)
    // Both listeners are open before the ready line: a scrape right after it finds its port.
    let metricsListener = try TCPListener.listen(address: settings.metricsListen)
    log.event("metrics on \(metricsListener.address)")
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask {
            try await serve(metricsListener) { conn in await serveMetrics(conn, metrics: metrics, log: log) }
        }
        try await serve(listener) { conn in
            await handle(conn, hub: hub, settings: settings, metrics: metrics, log: log)
        }
    }
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
    func clientLeft() { state.withLock { $0.active -= 1 } }

    /// A whole message came from a client: `chat_messages_received_total` + 1.
    func messageReceived() { state.withLock { $0.received += 1 } }

    /// A broadcast queued the message for `clients` clients: `chat_messages_sent_total` + clients.
    func messagesSent(_ clients: Int) { state.withLock { $0.sent += clients } }

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
            out += "chat_broadcast_duration_seconds_bucket{le=\"\(le)\"} \(cumulative)\n"
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
