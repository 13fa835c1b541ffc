/// Lesson 7: TLS handshakes per second. Each of netload's `tlshs` clients makes a new
/// connection, a full TLS 1.3 handshake, sends 64 bytes that the program relays to netlab's
/// echo upstream, reads them back, and closes.
package struct HandshakeWorkload: Workload {
    package init() {}

    package var name: String { "handshake" }
    package var title: String { "TLS 1.3 handshakes, each with one 64-byte echo through the program, new connection each time" }
    package var upstream: UpstreamNeed { .echo }
    package var needsCertificate: Bool { true }

    package func serverFlags(upstream: String?, certificate: (cert: String, key: String)?) -> [String] {
        var flags = upstream.map { ["--upstream", $0] } ?? []
        if let certificate { flags += ["--cert", certificate.cert, "--key", certificate.key] }
        return flags
    }

    package func scenarios(connections: [Int]?) -> [Scenario] {
        (connections ?? [1, 4]).map {
            Scenario(load: .handshake(threads: $0), label: "\($0) client\($0 == 1 ? "" : "s")", unit: .handshakes)
        }
    }

    /// `netload tlshs ADDR THREADS SECS echo`.
    static func netloadArguments(address: String, threads: Int, seconds: Double) -> [String] {
        ["tlshs", address, String(threads), Netload.seconds(seconds), "echo"]
    }
}
