import CheckRuntime
import Foundation

/// The load generator, `Sources/netload` (C over epoll), run as a process of its own so that it
/// is never measured with the program. Every mode prints one line of `key=value` pairs.
package enum Netload {
    /// `0.500000`: seconds as netload reads them.
    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// The pairs of one `key=value key=value` line; words without `=` are left out.
    package static func pairs(_ line: String) -> [String: String] {
        var result: [String: String] = [:]
        for word in line.split(separator: " ") {
            guard let equals = word.firstIndex(of: "=") else { continue }
            result[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        return result
    }

    /// The figures of one load's line; nil when it lacks what the load always prints.
    package static func figures(of load: Load, line: String) -> LoadFigures? {
        let p = pairs(line)
        func number(_ key: String) -> Double? { p[key].flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil } }
        guard let seconds = number("secs"), let cpu = number("cpu") else { return nil }
        let errors = Int(p["errors"] ?? "0") ?? 0
        let histogram = p["hist"].flatMap(LatencyHistogram.init(netload:))?.counts ?? []
        switch load {
        case .echo:
            guard let reqs = number("reqs") else { return nil }
            return LoadFigures(
                operations: reqs, seconds: seconds, p50: number("p50us"), p99: number("p99us"), max: number("maxus"),
                histogram: histogram, loadCPU: cpu, errors: errors, answered: p["answered"].flatMap { Int($0) })
        case .fanOut:
            guard let broadcasts = number("ops") else { return nil }
            return LoadFigures(
                operations: broadcasts, seconds: seconds, p50: number("p50us"), p99: number("p99us"), max: number("maxus"),
                histogram: histogram, loadCPU: cpu, errors: errors)
        case .keyValue:
            guard let ops = number("ops") else { return nil }
            let notOK = Int(p["notok"] ?? "0") ?? 0
            return LoadFigures(
                operations: ops, seconds: seconds, p50: number("p50us"), p99: number("p99us"), max: number("maxus"),
                histogram: histogram, loadCPU: cpu, errors: errors &+ notOK, answered: p["answered"].flatMap { Int($0) })
        case .proxy, .lines, .routed:
            guard let bytes = number("bytes") else { return nil }
            return LoadFigures(operations: bytes / 1_000_000, seconds: seconds, loadCPU: cpu, errors: errors)
        case .handshake:
            guard let count = number("hs") else { return nil }
            return LoadFigures(operations: count, seconds: seconds, loadCPU: cpu, errors: errors)
        case .idle:
            return nil
        }
    }

    /// netload's arguments for one timed load.
    static func arguments(_ load: Load, address: String, seconds: Double, warmup: Double) -> [String] {
        switch load {
        case .echo(let n): EchoWorkload.netloadArguments(address: address, connections: n, seconds: seconds, warmup: warmup)
        case .keyValue(let n):
            KeyValueWorkload.netloadArguments(address: address, connections: n, seconds: seconds, warmup: warmup)
        case .proxy(let n): ProxyWorkload.netloadArguments(address: address, streams: n, seconds: seconds)
        case .lines(let n): LineForwardWorkload.netloadArguments(address: address, streams: n, seconds: seconds)
        case .routed(let n): ProxyWorkload.netloadArguments(address: address, streams: n, seconds: seconds)
        case .handshake(let n): HandshakeWorkload.netloadArguments(address: address, threads: n, seconds: seconds)
        case .fanOut(let n, let silent):
            FanOutWorkload.netloadArguments(address: address, clients: n, silent: silent, seconds: seconds, warmup: warmup)
        case .idle(let n): IdleWorkload.netloadArguments(address: address, connections: n)
        }
    }

    /// The warm-up a load gets before its window (echo, kv and fan-out; the others measure from the start).
    static func warmup(_ load: Load, planned: Double) -> Double {
        switch load {
        case .echo, .keyValue, .fanOut: planned
        default: 0
        }
    }

    /// Starts netload with `arguments`, supervised like every program netlab starts.
    static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ServerProcess {
        try ServerProcess.start(ProgramLaunch(executable: executable, environment: environment), arguments: arguments)
    }

    /// What `load` writes first on every stream, as a file for `NETLOAD_SEND_PREFIX` (the caller
    /// removes it); nil for loads that start with their data.
    static func prefixFile(for load: Load) throws -> URL? {
        guard case .routed = load else { return nil }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-bench-hello-\(UUID().uuidString).bin")
        try Data(RoutedProxyWorkload.hello).write(to: file)
        return file
    }

    /// The last line netload printed on stdout.
    static func lastLine(_ process: ServerProcess) -> String? {
        process.lines.last { $0.stream == .stdout }?.text
    }

    /// Waits (until `deadline`) for a stdout line starting with `prefix`; the line, or nil.
    static func waitLine(_ process: ServerProcess, prefix: String, until deadline: ContinuousClock.Instant) async -> String? {
        while ContinuousClock.now < deadline {
            if let line = process.lines.first(where: { $0.stream == .stdout && $0.text.hasPrefix(prefix) }) { return line.text }
            if process.exitStatus != nil, process.outputClosed { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }
}
