// Lesson 14 — /metrics. Read it with `netlab lesson 14`; check with `netlab check 14`.
//
// This file is the lesson: the chat's metrics, and their exposition in Prometheus's text
// format. Given beside it, ready to use and to read: Hub.swift and Connection.swift (lesson 13's,
// calling the metrics below as things happen), MetricsHTTP.swift (GET /metrics on the second
// listener), Frames.swift (lesson 13's frames and messages), and lesson 13's Client.swift,
// Upgrade.swift and Protocol.swift.
//
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type; functions and types are fine.
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

    // TODO: the state, behind one lock (a `Mutex`): the active clients, the messages received
    // and sent, the errors by kind, and the histogram: a count per bucket, the count of all
    // observations and their sum in seconds. One lock for all makes a scrape a snapshot.
    private let serverName: String

    init(serverName: String) { self.serverName = serverName }

    /// A client's handshake succeeded: `chat_connections_active` + 1.
    func clientJoined() {
        // TODO
    }

    /// A joined client's connection ended, however: `chat_connections_active` - 1.
    func clientLeft() {
        // TODO
    }

    /// A whole message came from a client: `chat_messages_received_total` + 1.
    func messageReceived() {
        // TODO
    }

    /// A broadcast queued the message for `clients` clients: `chat_messages_sent_total` + clients.
    func messagesSent(_ clients: Int) {
        // TODO
    }

    /// A connection ended in an error of this kind: `chat_errors_total{kind="…"}` + 1.
    func connectionFailed(_ kind: ErrorKind) {
        // TODO
    }

    /// One broadcast took `duration`: one observation of `chat_broadcast_duration_seconds`.
    func observeBroadcast(_ duration: Duration) {
        // TODO: seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18;
        // the first bucket whose bound is >= seconds counts it; the count and the sum too.
    }

    /// Every metric in Prometheus's text format: for each family its `# HELP` and `# TYPE`
    /// lines, then its samples; every line ends with `\n` (the README lists them all).
    func exposition() -> String {
        // TODO: the families in the README's order. Buckets are cumulative: each counts every
        // observation up to its bound, and `le="+Inf"` equals `_count`. Label values go through
        // escapeLabelValue.
        ""
    }
}

/// A label value as the text format writes it between its quotes: `\` as `\\`, `"` as `\"`, a
/// newline as `\n`; everything else as it is.
func escapeLabelValue(_ value: String) -> String {
    // TODO
    value
}
