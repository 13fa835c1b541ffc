import CheckLanguage
import CheckRuntime
import Foundation

/// What `netlab run N` passes to the program, read from the lesson's `checks.netlab` header with
/// the check parser (``CheckScript/parse(source:file:)``): the file's `start` line, split into
/// flags, minus every flag the learner gave after `--` (theirs win), and the file's upstreams
/// that the remaining flags name.
///
/// ```
/// upstream echo as up
/// start --listen {listen} --upstream {up.addr}
/// ```
///
/// `netlab run 4` starts `up` and passes `--listen 127.0.0.1:0 --upstream 127.0.0.1:40123`;
/// `netlab run 4 -- --upstream 127.0.0.1:9000` starts no upstream and passes
/// `--listen 127.0.0.1:0 --upstream 127.0.0.1:9000`.
struct RunPlan: Sendable {
    /// The start line's arguments that are kept, in order, unfilled.
    var arguments: [Template]
    /// The file's upstreams that the kept arguments name, in the file's order.
    var upstreams: [Upstream]
    /// The learner's flags, passed after the kept ones.
    var learnerFlags: [String]
    /// Flags of the start line that the learner's flags replaced (`--upstream`).
    var replaced: [String]
    /// Every `sni NAME` the checks send, in file order without repeats (for the `openssl
    /// s_client` line of a lesson whose program reads TLS hellos).
    var sniNames: [String]
    /// Whether the checks make TLS connections to the program (`tls-connect`).
    var checksUseTLS: Bool
    /// Whether the checks send key-value frames (`send a put …`): a binary protocol that `nc`
    /// cannot type.
    var checksUseKeyValue: Bool
    /// The path of the first WebSocket client the checks make (`connect a websocket "/chat"`),
    /// for a `python3 -m websockets` line; nil when they make none.
    var webSocketPath: String?

    /// The plan for `script`'s header and the learner's `flags`. Without a `start` line, the
    /// program gets `--listen 127.0.0.1:0` (unless the learner gave `--listen`) and no upstream.
    init(script: CheckScript, learnerFlags flags: [String]) {
        learnerFlags = flags
        let given = Set(flags.compactMap(Self.flagName))
        let location = script.defaultStart?.location ?? SourceLocation(file: script.file, line: 0, column: 0)
        let start =
            script.defaultStart?.arguments ?? [
                Template(parts: [.literal("--listen")], location: location),
                Template(parts: [.placeholder(.listen)], location: location),
            ]
        var kept: [Template] = []
        var replaced: [String] = []
        for group in Self.flagGroups(start) {
            if let name = group.first?.literalValue.flatMap(Self.flagName), given.contains(name) {
                if !replaced.contains(name) { replaced.append(name) }
                continue
            }
            kept += group
        }
        arguments = kept
        self.replaced = replaced
        let named = Set(
            kept.flatMap(\.placeholders).compactMap { p -> String? in
                if case .upstreamAddress(let name, _) = p { return name }
                return nil
            })
        let wantsOnly = kept.contains { $0.placeholders.contains(.upstream) }
        upstreams = script.upstreams.filter { named.contains($0.name) || (wantsOnly && script.upstreams.count == 1) }
        var names: [String] = []
        for check in script.checks {
            for name in CheckRuntime.sniNames(in: check.steps) where !names.contains(name) { names.append(name) }
        }
        sniNames = names
        checksUseTLS = script.checks.contains { Self.hasTLSConnect($0.steps) }
        checksUseKeyValue = script.checks.contains { Self.sendsKeyValue($0.steps) }
        webSocketPath = script.checks.lazy.compactMap { Self.webSocketPath($0.steps) }.first
    }

    /// `--upstream` for `--upstream`, `--upstream=X` and `--upstream X`; nil for a value.
    static func flagName(_ argument: String) -> String? {
        guard argument.hasPrefix("-"), argument.count > 1, argument != "--" else { return nil }
        return String(argument.split(separator: "=", maxSplits: 1).first ?? "")
    }

    /// The start line's arguments grouped by flag: each group is a flag and the values after it
    /// (`--listen {listen}`), or a run of leading values that belong to no flag.
    static func flagGroups(_ arguments: [Template]) -> [[Template]] {
        var groups: [[Template]] = []
        for argument in arguments {
            if argument.literalValue.flatMap(flagName) != nil || groups.isEmpty {
                groups.append([argument])
            } else {
                groups[groups.count - 1].append(argument)
            }
        }
        return groups
    }

    /// Whether the kept arguments hand the program netlab's certificate (`--cert {cert}`): the
    /// program serves TLS itself.
    var programServesTLS: Bool {
        arguments.contains { $0.placeholders.contains(.cert) }
    }

    /// Whether the plan needs the development certificate: a `{cert}`, `{key}` or `{ca}`, or a
    /// TLS upstream.
    var needsCertificate: Bool {
        arguments.contains { $0.placeholders.contains { [.cert, .key, .ca].contains($0) } }
            || upstreams.contains { if case .tlsEcho = $0.kind { true } else { false } }
    }

    /// For every kept argument of the form `NAME={UPSTREAM.addr}` (`--route a.test={alpha.addr}`):
    /// NAME and the upstream's name, in order.
    var routes: [(name: String, upstream: String)] {
        arguments.compactMap { template in
            guard template.parts.count == 2, case .literal(let text) = template.parts[0], text.hasSuffix("="),
                case .placeholder(.upstreamAddress(let upstream, .addr)) = template.parts[1]
            else { return nil }
            return (String(text.dropLast()), upstream)
        }
    }

    static func hasTLSConnect(_ steps: [Step]) -> Bool {
        steps.contains { step in
            switch step {
            case .connect(let c): c.tls != nil
            case .repeat(let loop), .parallel(let loop): hasTLSConnect(loop.body)
            default: false
            }
        }
    }

    static func sendsKeyValue(_ steps: [Step]) -> Bool {
        steps.contains { step in
            switch step {
            case .send(let send): if case .keyValue = send.payload { true } else { false }
            case .repeat(let loop), .parallel(let loop): sendsKeyValue(loop.body)
            default: false
            }
        }
    }

    static func webSocketPath(_ steps: [Step]) -> String? {
        for step in steps {
            switch step {
            case .connect(let c): if let ws = c.webSocket { return ws.path }
            case .repeat(let loop), .parallel(let loop): if let path = webSocketPath(loop.body) { return path }
            default: break
            }
        }
        return nil
    }
}
