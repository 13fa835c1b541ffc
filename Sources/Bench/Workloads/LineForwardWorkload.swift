/// Lesson 12: lines through the forwarder to netlab's sink. netload `send` writes newline-ended
/// lines of at most 4 KiB (`LINE` 4096: every 4,096th byte of its buffer is `\n`) for the round's
/// duration and half-closes; the forwarder keeps one connection to the sink. What it measures is
/// how fast the program takes lines in and passes them on: its read and write sizes show here
/// (512-byte reads against 32 KiB ones), as lesson 12's README says.
package struct LineForwardWorkload: Workload {
    package init() {}

    package var name: String { "lines" }
    package var title: String {
        "line forwarding: netload's 4 KiB lines → your forwarder → one connection to netlab's sink"
    }
    package var upstream: UpstreamNeed { .sink }
    package var needsCertificate: Bool { false }

    package func serverFlags(upstream: String?, certificate: (cert: String, key: String)?) -> [String] {
        upstream.map { ["--upstream", $0] } ?? []
    }

    package func scenarios(connections: [Int]?) -> [Scenario] {
        (connections ?? [1, 8]).map {
            Scenario(load: .lines(streams: $0), label: "\($0) client\($0 == 1 ? "" : "s")", unit: .megabytes)
        }
    }

    /// `netload send ADDR STREAMS BYTES SECS LINE`: time ends the round, as for the proxy; LINE
    /// puts a newline every 4,096 bytes.
    static func netloadArguments(address: String, streams: Int, seconds: Double) -> [String] {
        ProxyWorkload.netloadArguments(address: address, streams: streams, seconds: seconds) + ["4096"]
    }
}
