/// Lessons 1–3: echo ping-pong. Each connection sends 64 bytes and waits for them to come back
/// before it sends again (netload `echo`), so the rate is requests per second and each
/// round trip is a latency.
package struct EchoWorkload: Workload {
    /// The size of every message.
    package static let messageSize = 64

    package var defaultConnections: [Int]
    /// Flags the lesson's program needs besides `--listen` (lesson 3: `--idle-timeout 60s`).
    package var extraFlags: [String]

    package init(defaultConnections: [Int], extraFlags: [String] = []) {
        self.defaultConnections = defaultConnections
        self.extraFlags = extraFlags
    }

    package var name: String { "echo" }
    package var title: String { "echo ping-pong, \(Self.messageSize)-byte messages, one in flight per connection" }
    package var upstream: UpstreamNeed { .none }
    package var needsCertificate: Bool { false }

    package func serverFlags(upstream: String?, certificate: (cert: String, key: String)?) -> [String] { extraFlags }

    package func scenarios(connections: [Int]?) -> [Scenario] {
        (connections ?? defaultConnections).map {
            Scenario(load: .echo(connections: $0), label: "\($0) connection\($0 == 1 ? "" : "s")", unit: .requests)
        }
    }

    /// `netload echo ADDR CONNS SECS WARMUP 64`.
    static func netloadArguments(address: String, connections: Int, seconds: Double, warmup: Double) -> [String] {
        ["echo", address, String(connections), Netload.seconds(seconds), Netload.seconds(warmup), String(messageSize)]
    }
}
