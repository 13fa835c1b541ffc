/// Lesson 13: a broadcast's fan-out. netload `wsfan` opens the room's clients (WebSocket
/// upgrades at `/chat`), and they take turns to send a 64-byte text; a broadcast counts when
/// every client, the sender too, has it back, and only then does the next one go. The rate is
/// broadcasts per second, the latency is from the send to the last delivery: what one slow
/// step in the hub (a write it waits for, a lock held across the loop) costs the whole room.
///
/// The last scenario adds a client that reads nothing to a room of 10, with 1 KiB texts so that
/// its socket buffers fill within a second: a hub that drops it (lesson 13's bounded queue) goes
/// on at the room's pace, one that waits for it stops, and the table says the program answered
/// nothing.
package struct FanOutWorkload: Workload {
    /// The size of every message sent.
    package static let messageSize = 64
    /// The size of every message sent while a silent client is in the room.
    package static let slowRoomMessageSize = 1024
    /// The readers in the room with the silent client.
    package static let slowRoomClients = 10

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

    /// 10 and 100 clients by default, then 10 and one that reads nothing.
    package func scenarios(connections: [Int]?) -> [Scenario] {
        (connections ?? [10, 100]).map {
            Scenario(load: .fanOut(clients: $0, silent: 0), label: "\($0) client\($0 == 1 ? "" : "s")", unit: .broadcasts)
        } + [
            Scenario(
                load: .fanOut(clients: Self.slowRoomClients, silent: 1),
                label: "\(Self.slowRoomClients) clients and 1 that reads nothing (1 KiB texts)", unit: .broadcasts)
        ]
    }

    /// `netload wsfan ADDR CLIENTS SECS WARMUP SIZE [SILENT]`.
    static func netloadArguments(address: String, clients: Int, silent: Int, seconds: Double, warmup: Double) -> [String] {
        let size = silent > 0 ? slowRoomMessageSize : messageSize
        return ["wsfan", address, String(clients), Netload.seconds(seconds), Netload.seconds(warmup), String(size)]
            + (silent > 0 ? [String(silent)] : [])
    }
}
