/// Lessons 8–11: the key-value protocol (docs/kv-protocol.md). Each connection alternates a put
/// of its own key (16-byte value) and a get of it, one request in flight (netload `kv`); then
/// the idle scenario (``IdleWorkload``) says what a thousand idle connections cost.
package struct KeyValueWorkload: Workload {
    /// The size of every value put.
    package static let valueSize = 16

    package init() {}

    package var name: String { "kv" }
    package var title: String { "key-value put/get, \(Self.valueSize)-byte values, one in flight per connection; then idle connections" }
    package var upstream: UpstreamNeed { .none }
    package var needsCertificate: Bool { false }

    package func serverFlags(upstream: String?, certificate: (cert: String, key: String)?) -> [String] { [] }

    /// The loaded scenarios (default 1 and 100 connections), then 1,000 idle ones.
    package func scenarios(connections: [Int]?) -> [Scenario] {
        (connections ?? [1, 100]).map {
            Scenario(load: .keyValue(connections: $0), label: "\($0) connection\($0 == 1 ? "" : "s")", unit: .operations)
        } + [IdleWorkload.scenario()]
    }

    /// `netload kv ADDR CONNS SECS WARMUP 16`.
    static func netloadArguments(address: String, connections: Int, seconds: Double, warmup: Double) -> [String] {
        ["kv", address, String(connections), Netload.seconds(seconds), Netload.seconds(warmup), String(valueSize)]
    }
}
