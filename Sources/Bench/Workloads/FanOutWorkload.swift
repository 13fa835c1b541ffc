/// Lesson 13: a broadcast's fan-out. netload `wsfan` opens the room's clients (WebSocket
/// upgrades at `/chat`), and they take turns to send a 64-byte text; a broadcast counts when
/// every client, the sender too, has it back, and only then does the next one go. The rate is
/// broadcasts per second, the latency is from the send to the last delivery: what one slow
/// step in the hub (a write it waits for, a lock held across the loop) costs the whole room.
package struct FanOutWorkload: Workload {
    /// The size of every message sent.
    package static let messageSize = 64

    package init() {}

    package var name: String { "fanout" }
    package var title: String {
        "WebSocket fan-out: one \(Self.messageSize)-byte text at a time to the whole room, timed to its last delivery"
    }
    package var upstream: UpstreamNeed { .none }
    package var needsCertificate: Bool { false }

    /// A send queue and a ping interval no round comes near: the bench measures the broadcast,
    /// not the slow-client policy or the keepalive.
    package func serverFlags(upstream: String?, certificate: (cert: String, key: String)?) -> [String] {
        ["--ping-interval", "60s"]
    }

    /// 10 and 100 clients by default.
    package func scenarios(connections: [Int]?) -> [Scenario] {
        (connections ?? [10, 100]).map {
            Scenario(load: .fanOut(clients: $0), label: "\($0) client\($0 == 1 ? "" : "s")", unit: .broadcasts)
        }
    }

    /// `netload wsfan ADDR CLIENTS SECS WARMUP 64`.
    static func netloadArguments(address: String, clients: Int, seconds: Double, warmup: Double) -> [String] {
        ["wsfan", address, String(clients), Netload.seconds(seconds), Netload.seconds(warmup), String(messageSize)]
    }
}
