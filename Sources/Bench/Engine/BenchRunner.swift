import CheckResults
import CheckRuntime
import Foundation

/// Runs a bench: every round starts each program in turn (reference, learner, `--cmd`,
/// reference, …: interleaved, so a slow spell of a shared machine lands on all of them), drives
/// it through every scenario with netload, reads its process tree from /proc around each load,
/// and stops it. Every process is a ``ServerProcess`` (its own process group, stopped by the
/// interrupt clean-up), and every wait is bounded.
package struct BenchRunner: Sendable {
    /// Where a bench is: `done` of `total` steps, and what runs now.
    package struct Progress: Sendable {
        package var done: Int
        package var total: Int
        package var label: String
    }

    package var workload: any Workload
    package var contenders: [Contender]
    package var settings: BenchSettings
    package var subject: String

    package init(workload: any Workload, contenders: [Contender], settings: BenchSettings, subject: String) {
        self.workload = workload
        self.contenders = contenders
        self.settings = settings
        self.subject = subject
    }

    /// Measures everything; `progress` is called before each step.
    package func run(progress: (@Sendable (Progress) -> Void)? = nil) async -> BenchReport {
        let started = ContinuousClock.now
        let deadline = started + settings.bound
        let scenarios = workload.scenarios(connections: settings.connections)
        var outcomes = scenarios.map { _ in contenders.map { BenchReport.Outcome(failure: $0.unavailable) } }
        var notes: [String] = []
        var active = contenders.map { $0.launch != nil }
        var roundsDone = 0
        let total = settings.rounds * contenders.count * scenarios.count
        let oneRun = BenchSettings.estimate(
            rounds: 1, programs: 1, scenarios: scenarios, duration: settings.duration, warmup: settings.warmup)
        var done = 0

        let upstream: ServerProcess?
        var upstreamAddress: String?
        switch await startUpstream() {
        case .success(let pair):
            upstream = pair?.process
            upstreamAddress = pair?.address
        case .failure(let error):
            return report(scenarios, outcomes, ["netlab could not start its upstream: \(error.message)"], 0, started)
        }

        rounds: for round in 1...max(1, settings.rounds) {
            for (c, contender) in contenders.enumerated() {
                guard active[c], let launch = contender.launch else {
                    done += scenarios.count
                    continue
                }
                // Not started unless it can end inside the bound: a bench ends when it said it would.
                if ContinuousClock.now + .seconds(oneRun) >= deadline {
                    notes.append("stopped in round \(round) of \(settings.rounds): the bench's time bound (\(settings.bound)) ran out")
                    break rounds
                }
                let flags = workload.serverFlags(upstream: upstreamAddress, certificate: settings.certificate)
                let server: ServerProcess
                do {
                    server = try ServerProcess.start(launch, arguments: ["--listen", "127.0.0.1:0"] + flags)
                } catch {
                    fail(&outcomes, c, "could not be started: \(error)", &active)
                    done += scenarios.count
                    continue
                }
                let address: String
                switch await server.waitReady(timeout: .seconds(10)) {
                case .ready(let text):
                    address = text
                case .exited(let status):
                    fail(&outcomes, c, "exited before its ready line (\(status))\(Self.lastWords(server))", &active)
                    done += scenarios.count
                    continue
                case .timedOut:
                    await server.stop(grace: .milliseconds(500))
                    fail(&outcomes, c, "printed no ready line in 10 s\(Self.lastWords(server))", &active)
                    done += scenarios.count
                    continue
                }
                for (s, scenario) in scenarios.enumerated() {
                    progress?(Progress(done: done, total: total, label: "round \(round) · \(contender.name) · \(scenario.label)"))
                    done += 1
                    guard active[c] else { continue }
                    switch await measure(scenario, server: server, address: address) {
                    case .success(let sample):
                        outcomes[s][c].samples.append(sample)
                    case .failure(let error):
                        outcomes[s][c].failure = error.message
                        // Nothing more from it: its other scenarios would each wait out a round for nothing.
                        active[c] = false
                        for later in outcomes.indices where later > s && outcomes[later][c].samples.isEmpty {
                            outcomes[later][c].failure = "not measured: it failed \(scenario.label) first"
                        }
                        notes.append("\(contender.name) was measured no further after round \(round) (\(scenario.label)).")
                    }
                }
                await server.stop(grace: .seconds(1))
            }
            roundsDone = round
        }
        if let upstream { await upstream.stop(grace: .milliseconds(300)) }
        progress?(Progress(done: total, total: total, label: "done"))
        return report(scenarios, outcomes, notes, roundsDone, started)
    }

    private func report(
        _ scenarios: [Scenario], _ outcomes: [[BenchReport.Outcome]], _ notes: [String], _ rounds: Int,
        _ started: ContinuousClock.Instant
    ) -> BenchReport {
        let elapsed = ContinuousClock.now - started
        return BenchReport(
            subject: subject, workload: workload.name, workloadTitle: workload.title, contenders: contenders,
            scenarios: scenarios, outcomes: outcomes, roundsPlanned: settings.rounds, roundsDone: rounds,
            duration: settings.duration, warmup: settings.warmup, notes: notes,
            cores: ProcessInfo.processInfo.activeProcessorCount,
            elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private func fail(_ outcomes: inout [[BenchReport.Outcome]], _ c: Int, _ why: String, _ active: inout [Bool]) {
        for s in outcomes.indices where outcomes[s][c].failure == nil { outcomes[s][c].failure = why }
        active[c] = false
    }

    /// `: "last stderr line"`, escaped (the program's text is untrusted), or nothing.
    static func lastWords(_ server: ServerProcess) -> String {
        guard let line = server.lastStderrLines(1).first, !line.isEmpty else { return "" }
        return ": " + UntrustedText.escaped(String(line.prefix(160)))
    }

    struct Failure: Error {
        var message: String
    }

    /// netlab's own upstream for the workload, shared by every round; nil when it needs none.
    private func startUpstream() async -> Result<(process: ServerProcess, address: String)?, Failure> {
        let mode: String
        switch workload.upstream {
        case .none: return .success(nil)
        case .sink: mode = "sink"
        case .echo: mode = "threadecho"
        }
        do {
            let process = try Netload.start(settings.netload, [mode, "127.0.0.1:0"])
            guard let line = await Netload.waitLine(process, prefix: "port ", until: .now + .seconds(5)),
                let port = Int(line.dropFirst("port ".count))
            else {
                await process.stop(grace: .milliseconds(300))
                return .failure(Failure(message: "netload \(mode) did not say its port"))
            }
            return .success((process, "127.0.0.1:\(port)"))
        } catch {
            return .failure(Failure(message: "\(error)"))
        }
    }
}
