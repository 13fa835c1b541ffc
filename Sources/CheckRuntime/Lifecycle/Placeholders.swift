import CheckLanguage
import Foundation

/// The values of placeholders (`{listen}`, `{upstream}`, `{ca}`, `{tmp}`, …) in a check's lines.
extension CheckExecution {
    func placeholderValue(_ p: Placeholder, vars: [String: Int], at location: SourceLocation) throws -> String {
        if case .listen = p { return try serverAddressOrFail(at: location) }
        if case .loopVariable(let name) = p { return "\(vars[name] ?? 0)" }
        return try CheckExecution.placeholderValue(
            p, runner: runner, upstreams: upstreams, tmp: tmp, forStart: false, metrics: metricsAddress)
    }

    /// The value of a placeholder. In `start` lines, `{listen}` is `127.0.0.1:0`: the program
    /// picks a free port and says which in its ready line. `{metrics}` is the port reserved for
    /// the check (``MetricsPort``), when its start line has one.
    package static func placeholderValue(
        _ p: Placeholder, runner: CheckRunner, upstreams: [String: UpstreamPeer],
        tmp: URL, forStart: Bool, metrics: String? = nil
    ) throws -> String {
        switch p {
        case .listen: return "127.0.0.1:0"
        case .metrics:
            guard let metrics else {
                throw CheckError(
                    message: "{metrics} is a port for the program's metrics listener: put it in the start line, as in `--metrics-listen {metrics}`")
            }
            return metrics
        case .upstream:
            guard upstreams.count == 1, let only = upstreams.values.first else {
                throw CheckError(message: "{upstream} needs exactly one upstream; the check has \(upstreams.count)")
            }
            return only.address
        case .upstreamAddress(let name, let field):
            guard let peer = upstreams[name] else { throw CheckError(message: "unknown upstream \(name)") }
            switch field {
            case .addr: return peer.address
            case .host: return hostPart(peer.address)
            case .port: return String(peer.address.split(separator: ":").last ?? "")
            }
        case .ca: return try runner.resources.tlsFiles().ca
        case .cert: return try runner.resources.tlsFiles().cert
        case .key: return try runner.resources.tlsFiles().key
        case .fixtures: return runner.lessonDirectory.appendingPathComponent("fixtures").path
        case .tmp: return tmp.path
        case .loopVariable(let name): throw CheckError(message: "{\(name)} is not available here")
        }
    }
}

extension CheckRunner {
    /// A path as written, relative to the lesson folder unless absolute.
    package func path(_ text: String) -> String {
        text.hasPrefix("/") ? text : lessonDirectory.appendingPathComponent(text).path
    }
}
