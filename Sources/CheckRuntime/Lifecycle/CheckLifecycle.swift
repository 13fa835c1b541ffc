import CheckLanguage
import CheckResults
import Foundation
import NetCore
import NetTLS
import ProcessSupervision

/// The lifecycle of one check: its upstreams, its server, its steps (bounded by the check's timeout),
/// then the program stopped and the result made.
extension CheckExecution {
    static func run(check: Check, index: Int, runner: CheckRunner) async -> CheckResult {
        let origin = ContinuousClock.now
        let transcript = Transcript(origin: origin)
        let script = runner.script
        var upstreams: [String: UpstreamPeer] = [:]
        var process: ServerProcess?
        let tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("netlab-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let lifecycle = ProgramLifecycle()

        /// `afterStop` runs once the program is stopped: the check's clients stop reading before
        /// the stop (the program's exit is not news) and are closed only after it, so that the
        /// program's last lines are about the check, not about its clients leaving. `message` and
        /// `failure` are made after the stop, when all the program's output has been read.
        func finish(
            _ status: CheckResult.Status, _ message: @autoclosure () -> String?, failure: @autoclosure () -> [String],
            afterStop: ClientShutdown? = nil
        ) async -> CheckResult {
            afterStop?.stopReading()
            var stopNote: String?
            if status != .pass { await process?.awaitOwnEnd() }
            // Stamped when the stop begins: lines the program writes while it stops come after it.
            let stopTime = ContinuousClock.now
            if let process {
                let wasRunning = process.exitStatus == nil
                let (status, killed) = await process.stop(grace: runner.options.stopGrace)
                if wasRunning {
                    stopNote = CheckExecution.stopNote(status: status, killed: killed, grace: runner.options.stopGrace)
                }
            }
            afterStop?.close()
            if let stopNote { transcript.add("netlab", stopNote, at: stopTime) }
            let ended = process?.programEnd(origin: origin, stopTime: stopTime, stopSent: lifecycle.current.stopSent)
            lifecycle.ended(ended?.end, at: ended?.time, stopTime: stopTime)
            let failure = failure()
            var message = message()
            if status != .pass {
                if let ended, let process {
                    CheckExecution.recordEnd(ended.end, at: ended.time, process: process, stopTime: stopTime, transcript: transcript)
                }
                if let process { CheckExecution.noteLateStdout(process, stopTime: stopTime, transcript: transcript) }
                if status == .fail, let end = ended?.end { message = message.map(end.prefixing) }
            }
            for peer in upstreams.values { peer.stop() }
            try? FileManager.default.removeItem(at: tmp)
            let duration = ContinuousClock.now - origin
            var lines = ["check \"\(check.name)\" (\(check.location))"]
            let dropped = process?.dropped ?? (bytes: 0, lines: 0)
            lines += transcript.render(serverLines: process?.lines ?? [], droppedServerLines: dropped.lines)
            if dropped.bytes > 0 {
                lines.append("        [netlab] (\(dropped.bytes) bytes of the server's output were dropped to keep the last 256 KiB)")
            }
            lines += failure
            if status == .pass {
                lines.append(
                    "PASS (\(String(format: "%.3f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18))s)")
            }
            return CheckResult(
                name: check.name, status: status, points: status == .pass ? check.points : 0,
                maxPoints: check.points, message: message, transcript: lines.joined(separator: "\n") + "\n",
                hint: check.hint, location: check.location.description, index: index, duration: duration,
                programEnd: ended?.end, figures: transcript.figures)
        }

        func errorResult(_ message: String, afterStop: ClientShutdown? = nil) async -> CheckResult {
            transcript.add("netlab", "error: \(message)")
            return await finish(.error, message, failure: ["ERROR \(message)"], afterStop: afterStop)
        }

        do {
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        } catch {
            return await errorResult("cannot make a scratch folder: \(error)")
        }

        // 1. Upstreams: the file's, then the check's.
        for upstream in script.upstreams + check.upstreams {
            do {
                var tls: TLSServerConfig?
                if case .tlsEcho(let options) = upstream.kind {
                    let files = try runner.resources.tlsFiles()
                    if let cert = options.certificate, let key = options.key {
                        let render = { (t: Template) in
                            try t.render { try placeholderValue($0, runner: runner, upstreams: upstreams, tmp: tmp, forStart: true) }
                        }
                        tls = try TLSServerConfig(
                            certificateFile: runner.path(try render(cert)), keyFile: runner.path(try render(key)),
                            alpnProtocols: options.alpn)
                    } else if options.alpn.isEmpty {
                        tls = files.serverConfig
                    } else {
                        tls = try TLSServerConfig(certificateFile: files.cert, keyFile: files.key, alpnProtocols: options.alpn)
                    }
                }
                let peer = try UpstreamPeer(
                    name: upstream.name, kind: upstream.kind, faults: upstream.faults, tls: tls, transcript: transcript)
                upstreams[upstream.name] = peer
                transcript.add(
                    "netlab",
                    "upstream \(upstream.kind.keyword) as \(upstream.name) "
                        + (upstream.kind == .refuse
                            ? "at \(peer.address) (nothing listens there)"
                            : upstream.kind == .blackhole
                                ? "at \(peer.address) (its listen queue is full: connection attempts get no answer)"
                                : upstream.faults.downFor.map { "at \(peer.address) (down for \($0.scriptText): nothing listens there yet)" }
                                    ?? "listening on \(peer.address)")
                        + Self.faultNote(upstream.faults))
            } catch {
                return await errorResult("cannot start upstream \(upstream.name): \(error)")
            }
        }

        // 2. The server.
        guard let start = check.start ?? script.defaultStart else {
            return await errorResult("the check has no start line, and the file has none")
        }
        let arguments: [String]
        var metricsAddress: String?
        do {
            // A free port for `{metrics}`, held until just before the program starts (MetricsPort.swift).
            if start.arguments.contains(where: { $0.placeholders.contains(.metrics) }) {
                metricsAddress = try MetricsPort.pick()
            }
            arguments = try start.arguments.map { template in
                try template.render {
                    try placeholderValue($0, runner: runner, upstreams: upstreams, tmp: tmp, forStart: true, metrics: metricsAddress)
                }
            }
        } catch let error as CheckError {
            return await errorResult(error.message)
        } catch {
            return await errorResult("\(error)")
        }
        var launch = runner.program
        for (k, v) in runner.options.environment { launch.environment[k] = v }
        launch.environment = ProgramLaunch.withCrashReports(launch.environment)
        do {
            // Off the pool: posix_spawn blocks, and may be retried on ETXTBSY for up to a second.
            let limit = check.descriptorLimit
            process = try await offPool { [launch, arguments] in
                try ServerProcess.start(launch, arguments: arguments, descriptorLimit: limit)
            }
        } catch {
            return await errorResult("\(error)")
        }
        let commandLine = (process?.commandLine ?? []).map(shellQuoted).joined(separator: " ")
        transcript.add("netlab", "$ \(commandLine)", at: origin)
        if let limit = check.descriptorLimit {
            transcript.add("netlab", "the server may have at most \(limit) descriptors open (limit fds \(limit))", at: origin)
        }

        var serverAddress: String?
        var notReady = ""
        let readyBound = runner.options.readyTimeout ?? script.stepTimeout
        switch await process!.waitReady(timeout: readyBound) {
        case .ready(let address):
            // The port must be the program's own, not another server's it merely named.
            let connectable = connectableAddress(address)
            if let problem = await PortOwnership.problem(with: process!, address: connectable) {
                transcript.add("netlab", problem.message)
                if !problem.exited { return await finish(.fail, problem.message, failure: ["FAIL \(problem.message)"]) }
                notReady = problem.message
            } else {
                serverAddress = connectable
            }
        case .exited(let status):
            notReady = "the server \(status) before printing its ready line (netlab: listening on HOST:PORT)"
            transcript.add("netlab", notReady)
        case .timedOut:
            notReady = "the server printed no ready line (netlab: listening on HOST:PORT) within \(readyBound.scriptText)"
            if let partial = process!.unfinishedStdoutLine, partial.hasPrefix("netlab: listening on") {
                notReady += "; stdout holds \(Bytes.quoted(Array(partial.utf8))) with no newline after it"
            }
            transcript.add("netlab", notReady)
        }

        // 3. The steps, bounded by the check's timeout.
        let execution = CheckExecution(
            check: check, runner: runner, transcript: transcript, upstreams: upstreams,
            process: process, serverAddress: serverAddress, notReady: notReady, tmp: tmp,
            metricsAddress: metricsAddress, lifecycle: lifecycle)
        let checkBound = check.timeout ?? CheckScript.builtInCheckTimeout
        let readyAddress = serverAddress
        let notReadyText = notReady
        enum Outcome: Sendable { case passed, failed(StepFailure), error(String), timedOut, cancelled }
        let outcome: Outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    if check.steps.isEmpty, readyAddress == nil {
                        throw StepFailure(message: notReadyText, details: execution.lastLogLines(), location: check.location)
                    }
                    try await execution.runSteps(check.steps, vars: [:])
                    return .passed
                } catch let failure as StepFailure {
                    return .failed(failure)
                } catch let error as CheckError {
                    return .error(error.message)
                } catch is CancellationError {
                    return .cancelled
                } catch {
                    return .error("\(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(for: checkBound)
                return Task.isCancelled ? .cancelled : .timedOut
            }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            return first
        }
        let closeClients = ClientShutdown(stopReading: { execution.stopReadingClients() }, close: { execution.closeClients() })
        switch outcome {
        case .passed:
            return await finish(.pass, nil, failure: [], afterStop: closeClients)
        case .failed(let failure):
            return await finish(
                .fail, execution.failureMessage(failure),
                failure: execution.failureBlock(failure), afterStop: closeClients)
        case .error(let message):
            return await errorResult(message, afterStop: closeClients)
        case .timedOut, .cancelled:
            let step = execution.currentStep.withLock { $0 }
            let location = step?.location ?? check.location
            let failure = StepFailure(
                message: "the check did not finish within its bound of \(checkBound.scriptText)",
                details: ["it was running the step at \(location)"], location: location)
            transcript.add("netlab", "check timeout (\(checkBound.scriptText)) reached")
            return await finish(
                .fail, "\(failure.message) (\(location))", failure: execution.failureBlock(failure),
                afterStop: closeClients)
        }
    }

    func failureBlock(_ failure: StepFailure) -> [String] {
        var lines = ["FAIL \(failure.location): \(script.sourceText(at: failure.location))"]
        if let end = lifecycle.current.end, end.prefixing(failure.message) != failure.message { lines.append(end.headline) }
        lines.append(failureText(failure))
        lines += (endLines() + failure.details + stdoutLines(for: failure)).map { "  " + $0 }
        if let hint = check.hint { lines.append("hint: \(hint)") }
        return lines
    }

    func closeClients() {
        let all = clients.withLock { $0 }
        for client in all.values { client.stop() }
    }

    func stopReadingClients() {
        let all = clients.withLock { $0 }
        for client in all.values { client.stopReading() }
    }
}

/// How a check's clients are let go at its end: first they stop reading, then (once the
/// program is stopped) they are closed.
struct ClientShutdown {
    var stopReading: () -> Void
    var close: () -> Void
}
