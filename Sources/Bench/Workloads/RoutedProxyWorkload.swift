import CheckRuntime

/// Lesson 6: throughput through an SNI router. Each netload stream opens with a browser-like
/// ClientHello for ``serverName`` (`NETLOAD_SEND_PREFIX`), which the router reads, routes by
/// (`--route bench.test=SINK`), replays to the upstream and then splices after; the bytes
/// after the hello are the load, as for lesson 4's proxy. The router never terminates TLS, so
/// netlab's sink needs no certificate.
package struct RoutedProxyWorkload: Workload {
    /// The name every stream asks for, and the one route the router is given.
    package static let serverName = "bench.test"
    /// The hello every stream sends first (the same in every round, so every program reads the
    /// same bytes).
    package static let hello = ClientHelloBuilder.hello(serverName: serverName, seed: 6)

    package init() {}

    package var name: String { "routed" }
    package var title: String {
        "SNI router throughput: netload's ClientHello for \(Self.serverName), then bytes → your router → netlab's sink"
    }
    package var upstream: UpstreamNeed { .sink }
    package var needsCertificate: Bool { false }

    package func serverFlags(upstream: String?, certificate: (cert: String, key: String)?) -> [String] {
        upstream.map { ["--route", "\(Self.serverName)=\($0)"] } ?? []
    }

    package func scenarios(connections: [Int]?) -> [Scenario] {
        (connections ?? [1, 8]).map {
            Scenario(load: .routed(streams: $0), label: "\($0) stream\($0 == 1 ? "" : "s")", unit: .megabytes)
        }
    }
}
