/// Lesson 4 (and any proxy): throughput through the program to netlab's own upstream, a sink
/// that discards what arrives (netload `send` → the program → netload `sink`). The streams
/// write for the round's duration, half-close, and the round ends when the sink has closed
/// every one: so the bytes counted are bytes that went all the way through.
package struct ProxyWorkload: Workload {
    package init() {}

    package var name: String { "proxy" }
    package var title: String { "proxy throughput: netload → your proxy → netlab's sink, for the round's duration" }
    package var upstream: UpstreamNeed { .sink }
    package var needsCertificate: Bool { false }

    package func serverFlags(upstream: String?, certificate: (cert: String, key: String)?) -> [String] {
        upstream.map { ["--upstream", $0] } ?? []
    }

    package func scenarios(connections: [Int]?) -> [Scenario] {
        (connections ?? [1, 8]).map {
            Scenario(load: .proxy(streams: $0), label: "\($0) stream\($0 == 1 ? "" : "s")", unit: .megabytes)
        }
    }

    /// `netload send ADDR STREAMS BYTES SECS`: a byte budget no round reaches (1 TiB), so time ends it.
    static func netloadArguments(address: String, streams: Int, seconds: Double) -> [String] {
        ["send", address, String(streams), String(1 << 40), Netload.seconds(seconds)]
    }
}
