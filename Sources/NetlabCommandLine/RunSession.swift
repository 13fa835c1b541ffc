import CheckLanguage
import CheckRuntime
import Foundation
import NetTLS
import Workbook

/// What `netlab run` starts around the program, as the checks do (``RunPlan``): the upstreams
/// (the check runner's own ``UpstreamPeer``s), with `.netlab/certs/` (`netlab cert`) as `{cert}`,
/// `{key}` and `{ca}`, so that the commands it prints work again at the next run. ``stop()`` ends
/// them; so does netlab's exit.
final class RunSession: Sendable {
    let plan: RunPlan
    /// The upstreams, by name, listening.
    let peers: [String: UpstreamPeer]
    /// The program's arguments after its own (`--cmd "python3 x.py"`): the kept start flags,
    /// filled, then the learner's.
    let arguments: [String]
    let certificates: CertificatePaths?
    /// `{metrics}`: the free port given to the program for its metrics listener, when the start
    /// line has one.
    let metricsAddress: String?
    private let scratch: URL
    private let drain: Task<Void, Never>

    /// Starts the plan's upstreams and fills in the start line. `certificates` is nil when the
    /// plan needs none (``RunPlan/needsCertificate``).
    init(
        plan: RunPlan, script: CheckScript, lessonDirectory: URL, program: ProgramSpec,
        certificates: CertificatePaths?
    ) throws {
        self.plan = plan
        self.certificates = certificates
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("netlab-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        // The check runner's own filling of placeholders ({up.addr}, {listen}, {fixtures}); the
        // certificate is netlab's lasting one instead of a run's throwaway CA.
        let runner = CheckRunner(
            script: script, lessonDirectory: lessonDirectory,
            program: program.launch)
        var peers: [String: UpstreamPeer] = [:]
        let scratch = self.scratch
        var metrics: String?
        func fill(_ template: Template) throws -> String {
            try template.render { p in
                switch p {
                case .cert, .key, .ca:
                    guard let certificates else { throw CheckError(message: "netlab run has no certificate for {\(p)}") }
                    return (p == .cert ? certificates.cert : p == .key ? certificates.key : certificates.ca).path
                case .tmp:
                    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
                    return scratch.path
                case .metrics:
                    if metrics == nil { metrics = try CheckExecution.freeMetricsAddress() }
                    return metrics ?? ""
                default:
                    return try CheckExecution.placeholderValue(p, runner: runner, upstreams: peers, tmp: scratch, forStart: true)
                }
            }
        }
        let transcript = Transcript(origin: .now)
        do {
            for upstream in plan.upstreams {
                var tls: TLSServerConfig?
                if case .tlsEcho(let options) = upstream.kind {
                    guard let certificates else { throw CheckError(message: "netlab run has no certificate for upstream \(upstream.name)") }
                    tls = try TLSServerConfig(
                        certificateFile: try options.certificate.map { runner.path(try fill($0)) } ?? certificates.cert.path,
                        keyFile: try options.key.map { runner.path(try fill($0)) } ?? certificates.key.path,
                        alpnProtocols: options.alpn)
                }
                peers[upstream.name] = try UpstreamPeer(
                    name: upstream.name, kind: upstream.kind, faults: upstream.faults, tls: tls, transcript: transcript)
            }
            arguments = program.launch.arguments + (try plan.arguments.map(fill)) + plan.learnerFlags
        } catch {
            for peer in peers.values { peer.stop() }
            throw error
        }
        self.peers = peers
        metricsAddress = metrics
        // An echo upstream keeps what it received for `expect`s; nobody expects anything here,
        // so let go of it as it comes, and of connections that ended.
        let all = Array(peers.values)
        drain = Task {
            while !Task.isCancelled {
                for peer in all { peer.discardReceived() }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Stops every upstream and removes the scratch folder.
    func stop() {
        drain.cancel()
        for peer in peers.values { peer.stop() }
        try? FileManager.default.removeItem(at: scratch)
    }

    /// One line per upstream: `upstream echo as up on 127.0.0.1:40123 (sends back what it receives)`.
    var upstreamLines: [String] {
        plan.upstreams.compactMap { upstream in
            guard let peer = peers[upstream.name] else { return nil }
            return "upstream \(upstream.kind.keyword) as \(upstream.name) on \(peer.address) (\(Self.behaviour(upstream.kind)))"
        }
    }

    static func behaviour(_ kind: Upstream.Kind) -> String {
        switch kind {
        case .echo: "sends back what it receives"
        case .tlsEcho: "a TLS server with netlab's certificate; sends back what it receives"
        case .sink: "reads everything, sends nothing"
        case .replyAtEOF: "answers with the whole request once the request ends"
        case .silent: "accepts and never answers"
        case .close: "closes every connection at once"
        case .halfClose: "greets, then half-closes"
        case .refuse: "nothing listens there: connecting is refused"
        case .blackhole: "connection attempts get no answer"
        }
    }

    /// The commands to talk to the program listening on `host:port`, each with a comment, with
    /// the real port and paths (`path` shows a file as the learner should type it).
    func pokeCommands(host: String, port: String, path: (URL) -> String) -> [String] {
        let target = "\(host):\(port)"
        var lines: [String] = []
        let ca = certificates.map { path($0.ca) }
        if !plan.routes.isEmpty, let ca {
            for route in plan.routes {
                let behind = peers[route.upstream].map { " (\($0.address))" } ?? ""
                lines.append(
                    "openssl s_client -connect \(target) -servername \(route.name) -CAfile \(ca)"
                        + "    # routed to upstream \(route.upstream)\(behind); type a line, it comes back")
            }
            lines.append(
                "openssl s_client -connect \(target) -servername nope.test"
                    + "    # a name with no route: closed")
        } else if plan.programServesTLS, let ca {
            lines.append(
                "openssl s_client -connect \(target) -servername localhost -CAfile \(ca)"
                    + "    # your TLS; type a line, it goes through to the upstream")
            let behind =
                plan.upstreams.contains { $0.kind == .echo }
                ? "    # curl's request comes back through your TLS from the echo upstream; curl stops after 2 s"
                : "    # an HTTP request through your TLS"
            lines.append("curl -s --http0.9 --max-time 2 --cacert \(ca) https://localhost:\(port)/" + behind)
        } else if plan.checksUseTLS {
            let name = plan.sniNames.first ?? "example.test"
            lines.append(
                "openssl s_client -connect \(target) -servername \(name) </dev/null"
                    + "    # a real ClientHello with sni \(name)")
        }
        if let metricsAddress {
            lines.append("curl -s http://\(metricsAddress)/metrics    # the program's metrics, in Prometheus's text format")
        }
        if let path = plan.webSocketPath {
            // Debian's python3-websockets: an interactive client (`websocat` is not in Debian).
            lines.append("python3 -m websockets ws://\(target)\(path)    # a WebSocket client: type a line, every client gets it; Ctrl-D ends")
            lines.append(
                "curl -si --max-time 2 -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' "
                    + "-H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' http://\(target)\(path)    # the upgrade's answer: 101 and Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
            )
            return lines
        }
        if plan.checksUseKeyValue {
            lines.append(
                "printf '\\x0d\\x00\\x00\\x00\\x0a\\x05color\\x18\\x02\\r\\n\\r\\n' | nc -N \(host) \(port) | xxd"
                    + "    # a get of \"color\", framed; the README's Try it by hand has more")
            return lines
        }
        let plain =
            plan.programServesTLS || plan.checksUseTLS
            ? "not TLS: see what your program does with it"
            : plan.upstreams.contains { $0.kind == .echo }
                ? "type lines: they go through your program to the upstream and come back"
                : "type lines; Ctrl-D ends"
        lines.append("nc \(host) \(port)    # \(plain)")
        return lines
    }
}
