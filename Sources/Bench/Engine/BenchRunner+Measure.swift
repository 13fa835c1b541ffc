import CheckResults
import CheckRuntime
import Foundation

extension BenchRunner {
    /// One scenario against a running program: netload's figures, and the program's process
    /// tree from /proc before the load, when its window opens, in the middle, and at the end.
    func measure(_ scenario: Scenario, server: ServerProcess, address: String) async -> Result<Sample, Failure> {
        if case .idle(let connections) = scenario.load {
            return await measureIdle(connections, server: server, address: address)
        }
        let warmup = Netload.warmup(scenario.load, planned: settings.warmup)
        let arguments = Netload.arguments(scenario.load, address: address, seconds: settings.duration, warmup: warmup)
        guard let before = server.metrics() else { return .failure(Failure(message: "exited\(Self.lastWords(server))")) }
        let load: ServerProcess
        let prefix: URL?
        do {
            prefix = try Netload.prefixFile(for: scenario.load)
            load = try Netload.start(
                settings.netload, arguments, environment: prefix.map { ["NETLOAD_SEND_PREFIX": $0.path] } ?? [:])
        } catch {
            return .failure(Failure(message: "netload could not be started: \(error)"))
        }
        defer { if let prefix { try? FileManager.default.removeItem(at: prefix) } }
        try? await Task.sleep(for: .seconds(warmup))
        let opened = server.metrics() ?? before
        try? await Task.sleep(for: .seconds(settings.duration / 2))
        let middle = server.metrics() ?? opened
        // netload ends its window itself; connecting 1,000 clients, or a proxy draining, takes a moment more.
        let bound = Duration.seconds(settings.duration / 2 + 15)
        guard await load.waitExit(timeout: bound) != nil else {
            await load.stop(grace: .milliseconds(200))
            return .failure(Failure(message: "the load did not finish within \(bound) of its window (the program stopped answering?)"))
        }
        let after = server.metrics()
        guard let after else {
            return .failure(Failure(message: "exited during the load (\(server.exitStatus.map { "\($0)" } ?? "?"))\(Self.lastWords(server))"))
        }
        guard let line = Netload.lastLine(load), let figures = Netload.figures(of: scenario.load, line: line) else {
            let why = load.lastStderrLines(1).first.map { ": " + UntrustedText.escaped($0) } ?? ""
            return .failure(Failure(message: "netload measured nothing\(why)"))
        }
        guard figures.operations > 0 else {
            return .failure(
                Failure(
                    message:
                        "answered nothing in \(Netload.seconds(figures.seconds)) s (\(figures.errors) error\(figures.errors == 1 ? "" : "s"))\(Self.lastWords(server))"
                ))
        }
        let cpu = Self.seconds(after.cpu - opened.cpu)
        let connections = scenario.load.connections
        return .success(
            Sample(
                rate: figures.rate, p50: figures.p50, p99: figures.p99, max: figures.max,
                cpuPerOperation: cpu >= 0 ? cpu * 1e6 / figures.operations : nil,
                rssPerConnection: Stats.perConnection(before: before.rss, after: middle.rss, count: connections),
                fdsPerConnection: Stats.perConnection(before: before.fds, after: middle.fds, count: connections),
                threads: middle.threads,
                loadCores: figures.seconds > 0 ? figures.loadCPU / figures.seconds : 0,
                errors: figures.errors, histogram: figures.histogram, answered: figures.answered,
                connections: figures.answered == nil ? nil : connections))
    }

    /// The idle scenario: open the connections, wait until every one was served once, then
    /// watch the program for ``IdleWorkload/window`` with nothing to do.
    func measureIdle(_ connections: Int, server: ServerProcess, address: String) async -> Result<Sample, Failure> {
        guard let before = server.metrics() else { return .failure(Failure(message: "exited\(Self.lastWords(server))")) }
        let load: ServerProcess
        do {
            load = try Netload.start(settings.netload, IdleWorkload.netloadArguments(address: address, connections: connections))
        } catch {
            return .failure(Failure(message: "netload could not be started: \(error)"))
        }
        defer { load.signal(SIGKILL) }
        guard let line = await Netload.waitLine(load, prefix: "ready", until: .now + .seconds(20)) else {
            await load.stop(grace: .milliseconds(200))
            return .failure(Failure(message: "\(connections) connections were not all served within 20 s\(Self.lastWords(server))"))
        }
        let pairs = Netload.pairs(line)
        let ok = Int(pairs["ok"] ?? "") ?? 0
        let failed = Int(pairs["failed"] ?? "") ?? 0
        try? await Task.sleep(for: .milliseconds(300))
        guard let quiet = server.metrics() else { return .failure(Failure(message: "exited with its connections idle")) }
        try? await Task.sleep(for: IdleWorkload.window)
        guard let end = server.metrics() else { return .failure(Failure(message: "exited with its connections idle")) }
        await load.stop(grace: .milliseconds(200))
        guard ok > 0 else { return .failure(Failure(message: "no idle connection was served\(Self.lastWords(server))")) }
        let idle = Self.seconds(end.cpu - quiet.cpu) / Self.seconds(IdleWorkload.window)
        return .success(
            Sample(
                rate: 0, rssPerConnection: Stats.perConnection(before: before.rss, after: end.rss, count: ok),
                fdsPerConnection: Stats.perConnection(before: before.fds, after: end.fds, count: ok), threads: end.threads,
                idleCPU: max(0, idle), errors: 0, answered: ok, connections: ok + failed))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
