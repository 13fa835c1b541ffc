import Foundation
import NetCore
import NetTLS
import Synchronization

/// Why a step did not hold: one sentence of facts, lines that show the evidence, and where.
struct StepFailure: Error, Sendable {
    var message: String
    var details: [String] = []
    var location: SourceLocation
    /// The pattern of a failed `expect server log` step: after the program is stopped, its
    /// stdout is searched for lines that would have matched (printed instead of logged).
    var logPattern: Pattern?
}

/// A problem of the checker or the lesson (a missing fixture, a CA that cannot be made), not of
/// the program under test: the check's status is `error`.
struct CheckError: Error, Sendable {
    var message: String
}

/// A value remembered by `fds|rss|cpu as NAME`.
enum Measured: Sendable {
    case count(Int)
    case duration(Duration)
}

extension ProcessMetrics {
    /// The value of one metric, as a comparison sees it.
    func measured(_ metric: Metric) -> Measured {
        switch metric {
        case .fds: .count(fds)
        case .sockets: .count(sockets)
        case .rss: .count(rss)
        case .peakRSS: .count(peakRSS)
        case .cpu: .duration(cpu)
        }
    }
}

/// One check being run: its upstreams, its server process, its clients, and what happened.
final class CheckExecution: Sendable {
    let check: Check
    let runner: CheckRunner
    let transcript: Transcript
    let upstreams: [String: UpstreamPeer]
    let process: ServerProcess?
    /// Where clients connect by default (from the ready line); nil when the server is not ready.
    let serverAddress: String?
    /// Why `serverAddress` is nil.
    let notReady: String
    let tmp: URL

    let clients = Mutex<[String: Client]>([:])
    /// Where each client connected from, once its TCP connection was up: `{NAME.addr}` in
    /// patterns. Kept apart from `clients`, which has no entry for a `tls-connect … fails`
    /// whose handshake failed, though the server saw (and may have logged) its connection.
    let clientAddresses = Mutex<[String: String]>([:])
    let data = Mutex<[String: [UInt8]]>([:])
    /// The names `send … hello sni random as NAME` made: `{NAME.name}` in patterns.
    let serverNames = Mutex<[String: String]>([:])
    let captures = Mutex<[String: Measured]>([:])
    let usedLogLines = Mutex<Set<Int>>([])
    /// See EventMark.swift: log lines read before it do not satisfy `expect server log`.
    let eventMark = Mutex<ContinuousClock.Instant?>(nil)
    let currentStep = Mutex<Step?>(nil)
    let lifecycle: ProgramLifecycle

    var script: CheckScript { runner.script }
    var stepTimeout: Duration { script.stepTimeout }

    init(check: Check, runner: CheckRunner, transcript: Transcript, upstreams: [String: UpstreamPeer],
         process: ServerProcess?, serverAddress: String?, notReady: String, tmp: URL,
         lifecycle: ProgramLifecycle = ProgramLifecycle()) {
        self.check = check
        self.runner = runner
        self.transcript = transcript
        self.upstreams = upstreams
        self.process = process
        self.serverAddress = serverAddress
        self.notReady = notReady
        self.tmp = tmp
        self.lifecycle = lifecycle
    }

    // MARK: - The whole check

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
        func finish(_ status: CheckResult.Status, _ message: @autoclosure () -> String?, failure: @autoclosure () -> [String],
                    afterStop: ClientShutdown? = nil) async -> CheckResult {
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
            if status == .pass { lines.append("PASS (\(String(format: "%.3f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18))s)") }
            return CheckResult(name: check.name, status: status, points: status == .pass ? check.points : 0,
                               maxPoints: check.points, message: message, transcript: lines.joined(separator: "\n") + "\n",
                               hint: check.hint, location: check.location.description, index: index, duration: duration,
                               programEnd: ended?.end)
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
                        let render = { (t: Template) in try t.render { try placeholderValue($0, runner: runner, upstreams: upstreams, tmp: tmp, forStart: true) } }
                        tls = try TLSServerConfig(certificateFile: runner.path(try render(cert)), keyFile: runner.path(try render(key)),
                                                  alpnProtocols: options.alpn)
                    } else if options.alpn.isEmpty {
                        tls = files.serverConfig
                    } else {
                        tls = try TLSServerConfig(certificateFile: files.cert, keyFile: files.key, alpnProtocols: options.alpn)
                    }
                }
                let peer = try UpstreamPeer(name: upstream.name, kind: upstream.kind, tls: tls, transcript: transcript)
                upstreams[upstream.name] = peer
                transcript.add("netlab", "upstream \(upstream.kind.keyword) as \(upstream.name) "
                    + (upstream.kind == .refuse ? "at \(peer.address) (nothing listens there)"
                        : upstream.kind == .blackhole ? "at \(peer.address) (its listen queue is full: connection attempts get no answer)"
                        : "listening on \(peer.address)"))
            } catch {
                return await errorResult("cannot start upstream \(upstream.name): \(error)")
            }
        }

        // 2. The server.
        guard let start = check.start ?? script.defaultStart else {
            return await errorResult("the check has no start line, and the file has none")
        }
        let arguments: [String]
        do {
            arguments = try start.arguments.map { template in
                try template.render { try placeholderValue($0, runner: runner, upstreams: upstreams, tmp: tmp, forStart: true) }
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
        let execution = CheckExecution(check: check, runner: runner, transcript: transcript, upstreams: upstreams,
                                       process: process, serverAddress: serverAddress, notReady: notReady, tmp: tmp,
                                       lifecycle: lifecycle)
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
            return await finish(.fail, execution.failureMessage(failure),
                                failure: execution.failureBlock(failure), afterStop: closeClients)
        case .error(let message):
            return await errorResult(message, afterStop: closeClients)
        case .timedOut, .cancelled:
            let step = execution.currentStep.withLock { $0 }
            let location = step?.location ?? check.location
            let failure = StepFailure(message: "the check did not finish within its bound of \(checkBound.scriptText)",
                                      details: ["it was running the step at \(location)"], location: location)
            transcript.add("netlab", "check timeout (\(checkBound.scriptText)) reached")
            return await finish(.fail, "\(failure.message) (\(location))", failure: execution.failureBlock(failure),
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

    // MARK: - Steps

    func runSteps(_ steps: [Step], vars: [String: Int]) async throws {
        for step in steps {
            try Task.checkCancellation()
            currentStep.withLock { $0 = step }
            lifecycle.stepStarted(at: .now)
            try await run(step, vars: vars)
        }
    }

    func run(_ step: Step, vars: [String: Int]) async throws {
        switch step {
        case .connect(let c): try await connect(c, vars: vars)
        case .send(let s): try await send(s, vars: vars)
        case .shutdownWrite(let a):
            let client = try self.client(a.client, vars: vars, at: a.location)
            await markEvent()
            var what = "shutdown write (FIN sent)"
            do {
                if let tls = client.conn as? TLSConn {
                    // TLS's closeWrite sends close_notify only (as Go's does); a client that is
                    // done sending also ends its TCP stream, so the server sees both, in order:
                    // the alert must be on the wire before the FIN.
                    // Bounded like any step: a server that never reads could hold the alert back.
                    try client.tcp?.setWriteDeadline(.after(stepTimeout))
                    try await tls.sendCloseNotify()
                    try? client.tcp?.setWriteDeadline(nil)
                    try client.tcp?.closeWrite()
                    what = "shutdown write (close_notify, then FIN sent)"
                } else if let half = client.conn as? any HalfClosable {
                    try half.closeWrite()
                }
            } catch {
                throw StepFailure(message: "could not half-close client \(client.name): \(reason(error))", location: a.location)
            }
            transcript.add("client \(client.name)", what)
        case .reset(let a):
            let client = try self.client(a.client, vars: vars, at: a.location)
            await markEvent()
            client.reset()
            transcript.add("client \(client.name)", "reset (RST sent)")
        case .close(let a):
            let client = try self.client(a.client, vars: vars, at: a.location)
            await markEvent()
            client.close()
            transcript.add("client \(client.name)", "close (FIN sent)")
        case .expectClient(let e):
            let client = try self.client(e.client, vars: vars, at: e.location)
            client.startDeferredReading()
            try await expectStream(label: "client \(client.name)", records: { [client.record] }, anyOf: false,
                                   e.expectation, vars: vars, at: e.location)
        case .expectUpstream(let e):
            try await expectUpstream(e, vars: vars)
        case .expectServer(let e):
            do {
                try await expectServer(e, vars: vars)
            } catch var failure as StepFailure {
                if case .log(let pattern, _) = e.condition { failure.logPattern = pattern }
                if case .logCount(let pattern, _, _) = e.condition { failure.logPattern = pattern }
                throw failure
            }
        case .capture(let c):
            let metrics = try runningMetrics(at: c.location)
            let value = metrics.measured(c.metric)
            captures.withLock { $0[c.name] = value }
            transcript.add("netlab", "\(c.metric.rawValue) as \(c.name): \(text(value, c.metric.quantity))")
        case .stop:
            await markEvent()
            if let process, process.exitStatus == nil {
                lifecycle.stopSent(at: .now)
                process.signal(SIGTERM)
                transcript.add("netlab", "stop: sent SIGTERM to the server")
            } else {
                transcript.add("netlab", "stop: the server is not running")
            }
        case .sleep(let s):
            transcript.add("netlab", "sleep \(s.duration.scriptText)")
            try await Task.sleep(for: s.duration)
        case .repeat(let loop):
            for i in 0..<loop.count {
                var inner = vars
                if let name = loop.variable { inner[name] = i }
                try await runSteps(loop.body, vars: inner)
            }
        case .parallel(let loop):
            // The copies' events count as one event, at the earliest of them (EventMark.swift).
            try await withParallelEvents {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<loop.count {
                        var inner = vars
                        if let name = loop.variable { inner[name] = i }
                        group.addTask { [inner] in
                            for step in loop.body {
                                try Task.checkCancellation()
                                try await self.run(step, vars: inner)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }

    // MARK: Clients

    func name(_ template: NameTemplate, _ vars: [String: Int]) -> String {
        template.resolve(vars) ?? template.description
    }

    func client(_ template: NameTemplate, vars: [String: Int], at location: SourceLocation) throws -> Client {
        let name = self.name(template, vars)
        guard let client = clients.withLock({ $0[name] }) else {
            throw StepFailure(message: "client \(name) is not connected (its connect step did not connect it)", location: location)
        }
        return client
    }

    func serverAddressOrFail(at location: SourceLocation) throws -> String {
        if let serverAddress { return serverAddress }
        throw StepFailure(message: notReady, details: lastLogLines(), location: location)
    }

    /// The server's last stderr lines, for failures about a server that is not there.
    func lastLogLines() -> [String] {
        guard let process else { return [] }
        let lines = process.lastStderrLines(400).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        if lines.isEmpty { return nothingOnStderr() }
        // A Swift crash report ends with registers and images; what matters is the lines before
        // it and its first lines (`Fatal error: …`, `*** Program crashed: … ***`).
        if let start = lines.firstIndex(where: { $0.contains("Fatal error:") || $0.hasPrefix("*** Signal") || $0.hasPrefix("*** Program crashed") }) {
            var shown = Array(lines[max(0, start - 3)...start])
            if let crashed = lines[start...].first(where: { $0.hasPrefix("*** Program crashed") }), !shown.contains(crashed) {
                shown.append(crashed)
            }
            return ["its stderr, where it crashed:"] + shown.map { "  " + $0 }
        }
        return ["its last lines on stderr:"] + lines.suffix(5).map { "  " + $0 }
    }

    func connect(_ c: Connect, vars: [String: Int]) async throws {
        let name = self.name(c.client, vars)
        let label = "client \(name)"
        let bound = c.within ?? stepTimeout
        let address: String
        if let target = c.target {
            address = try target.render { try placeholderValue($0, vars: vars, at: c.location) }
        } else {
            address = try serverAddressOrFail(at: c.location)
        }
        let verb = c.tls == nil ? "connect" : "tls-connect"
        var what = "\(verb) \(address)"
        if let sni = c.tls?.serverName { what += " sni \(sni)" }
        // One line, stamped when the step began: the server's `accepted` line always comes after it.
        let stepTime = ContinuousClock.now
        var tcp: TCPConn?
        var progress = TLSConnectProgress()
        do {
            let deadline = ContinuousClock.now + bound
            let dialed = try await TCPConn.dial(address, deadline: deadline)
            tcp = dialed
            progress.tcpConnected = .now
            clientAddresses.withLock { $0[name] = dialed.localAddress.description }
            var conn: any Conn = dialed
            var detail = "connected from \(dialed.localAddress)"
            if let options = c.tls {
                let config = try tlsClientConfig(options, address: address, at: c.location)
                let watch = HandshakeWatch(dialed)
                progress.watch = watch
                let tls = TLSConn.client(wrapping: watch, config: config)
                try dialed.setDeadline(deadline)
                try await tls.handshake()
                try dialed.setDeadline(nil)
                conn = tls
                detail += ", \(tls.negotiatedVersion ?? "TLS")" + (tls.negotiatedALPN.map { ", alpn \($0)" } ?? "")
            }
            if c.expectFailure {
                try? conn.close()
                transcript.add(label, "\(what): \(detail)", at: stepTime)
                throw StepFailure(message: "expected \(verb) \(label) to \(address) to fail within \(bound.scriptText); it succeeded (\(detail))",
                                  location: c.location)
            }
            let client = Client(name: name, conn: conn, tcp: dialed)
            let old = clients.withLock { all in
                let old = all[name]
                all[name] = client
                return old
            }
            old?.stop()
            let verbose = runner.options.verbose
            var onData: (@Sendable ([UInt8]) -> Void)?
            if verbose {
                let transcript = self.transcript
                onData = { bytes in
                    let shown: String = Bytes.isText(bytes) ? Bytes.quoted(bytes, limit: 80) : "hex " + Bytes.hexWords(bytes, limit: 16)
                    transcript.add(label, "read \(Bytes.size(bytes.count)): " + shown)
                }
            }
            let onEnd: @Sendable (StreamRecord.End) -> Void = { [transcript, record = client.record] end in
                if end != .local {
                    transcript.add(label, "connection ended: \(end.words)"
                        + (verbose ? " after \(record.totalCount) bytes in all" : ""))
                }
            }
            let onFull: @Sendable (Int) -> Void = { [transcript] held in
                transcript.add(label, "stopped reading for now: netlab holds \(Bytes.size(held)) that no expect matched (the limit is \(Bytes.size(StreamRecord.unmatchedLimit)) per connection)")
            }
            if c.readsNothing {
                // A client that never reads. Its receive buffer is left alone: Linux grows it
                // only for a reader, so it stays at the default (about 128 KiB) and the server's
                // replies back up soon enough. Shrinking it after the handshake (SO_RCVBUF)
                // would clamp the window below one segment, and a later read would crawl.
                client.deferReading(onData: onData, onFull: onFull, onEnd: onEnd)
                detail += ", reading nothing"
            } else {
                client.startReading(onData: onData, onFull: onFull, onEnd: onEnd)
            }
            transcript.add(label, "\(what): \(detail)", at: stepTime)
        } catch let failure as StepFailure {
            throw failure
        } catch let error as CheckError {
            throw error
        } catch {
            try? tcp?.close()
            let stalled = c.tls != nil && isTimeout(error)
            let why = stalled ? progress.timeoutReason(bound: bound, origin: transcript.origin)
                : isTimeout(error) ? "no connection within \(bound.scriptText)" : reason(error)
            if c.expectFailure {
                transcript.add(label, "\(what): failed as expected: \(why)", at: stepTime)
                return
            }
            if let net = error as? NetError, net.isConnectionReset, c.tls == nil {
                // The server accepted and reset at once, before connect(2) returned: a connection
                // that has already ended with a RST, for `expect NAME reset|closed` to see.
                let client = Client.resetWhileConnecting(name: name)
                let old = clients.withLock { all in
                    let old = all[name]
                    all[name] = client
                    return old
                }
                old?.stop()
                transcript.add(label, "\(what): connected, and reset (RST) at once", at: stepTime)
                return
            }
            if stalled, progress.tcpConnected != nil {
                progress.record(in: transcript, label: label, what: what, localAddress: clientAddresses.withLock { $0[name] } ?? "?",
                                bound: bound)
            } else {
                transcript.add(label, "\(what): \(why)", at: stepTime)
            }
            throw StepFailure(message: "\(label) could not \(verb == "connect" ? "connect" : "connect with TLS") to \(address): \(why)",
                              details: serverAddress == nil ? lastLogLines() : [], location: c.location)
        }
    }

    func tlsClientConfig(_ options: TLSClientOptions, address: String, at location: SourceLocation) throws -> TLSClientConfig {
        // Without SNI, the name checked is the address's IP (the certificate names 127.0.0.1 and
        // ::1 next to localhost), which TLS never sends as SNI.
        let host = hostPart(address)
        let name = options.serverName ?? (isIPLiteral(host) ? host : "localhost")
        switch options.verification {
        case .off:
            return try TLSClientConfig(serverName: name, alpnProtocols: options.alpn, insecureSkipVerify: true)
        case .ca(let template):
            let file = try runner.path(template.render { try placeholderValue($0, vars: [:], at: location) })
            guard FileManager.default.fileExists(atPath: file) else {
                throw CheckError(message: "the CA file \(file) does not exist (\(location))")
            }
            return try TLSClientConfig(serverName: name, rootCAFile: file, alpnProtocols: options.alpn)
        }
    }

    func send(_ s: Send, vars: [String: Int]) async throws {
        let client = try self.client(s.client, vars: vars, at: s.location)
        let label = "client \(client.name)"
        let bytes: [UInt8]
        var description: String
        switch s.payload {
        case .text(let b), .hex(let b):
            bytes = b
            description = Bytes.isText(b) ? Bytes.quoted(b) : "hex " + Bytes.hexWords(b, limit: 32)
        case .file(let path):
            bytes = try fileBytes(path, at: s.location)
            description = "file \"\(path)\""
        case .random(let random):
            let dataName = random.name.map { name($0, vars) }
            var seed = random.effectiveSeed(checkName: check.name, resolvedName: dataName, location: s.location)
            if random.seed == nil, let mix = runner.options.seed { seed ^= mix }
            if let dataName {
                let kept = data.withLock { $0.reduce(0) { $0 + ($1.key == dataName ? 0 : $1.value.count) } }
                guard kept + random.size <= ScriptLimits.namedData else {
                    throw StepFailure(message: "\(label) cannot send random data `\(dataName)`: the check would keep \(Bytes.size(kept + random.size)) "
                                      + "of named data; a check may keep at most \(Bytes.size(ScriptLimits.namedData))", location: s.location)
                }
            }
            bytes = fastRandomBytes(count: random.size, seed: seed)
            if let dataName { data.withLock { $0[dataName] = bytes } }
            description = "random data" + (dataName.map { " `\($0)`" } ?? "")
        case .named(let template):
            let dataName = name(template, vars)
            guard let stored = data.withLock({ $0[dataName] }) else {
                throw StepFailure(message: "data `\(dataName)` was never sent", location: s.location)
            }
            bytes = stored
            description = "`\(dataName)`"
        case .hello(let hello):
            (bytes, description) = helloBytes(hello)
        }
        let bound = s.within ?? stepTimeout
        let deadline = ContinuousClock.now + bound
        if let delivery = s.delivery, delivery.pieceCount(total: bytes.count) > ScriptLimits.pieces {
            throw StepFailure(message: "\(label) cannot send \(description) in \(delivery.pieceCount(total: bytes.count)) pieces; "
                              + "a send may have at most \(ScriptLimits.pieces) pieces, so use larger chunks", location: s.location)
        }
        let pieces = s.delivery?.pieceSizes(total: bytes.count) ?? [bytes.count]
        if let delivery = s.delivery {
            description += " in \(pieces.count) chunks" + (delivery.pause.map { " every \($0.scriptText)" } ?? "")
        }
        var sent = 0
        let stepTime = ContinuousClock.now
        do {
            try client.conn.setWriteDeadline(deadline)
            for (i, size) in pieces.enumerated() {
                try await client.conn.write(Array(bytes[sent..<sent + size]))
                sent += size
                if i < pieces.count - 1, let pause = s.delivery?.pause {
                    if ContinuousClock.now + pause > deadline {
                        throw NetError(.deadlineExceeded, op: "write")
                    }
                    try await Task.sleep(for: pause)
                }
            }
            try? client.conn.setWriteDeadline(nil)
        } catch let error as CancellationError {
            throw error
        } catch {
            if let net = error as? NetError { sent += net.bytesTransferred }
            try? client.conn.setWriteDeadline(nil)
            if s.untilClosed, !isTimeout(error) {
                // `until closed`: the server ending the connection is an allowed way to stop.
                transcript.add(label, "send \(description): stopped after \(Bytes.size(sent)) of \(Bytes.size(bytes.count)), "
                               + "the server ended the connection (\(reason(error)))", at: stepTime)
                return
            }
            let why = isTimeout(error)
                ? "only \(Bytes.size(sent)) of \(Bytes.size(bytes.count)) went out within \(bound.scriptText)"
                : "\(reason(error)) after \(Bytes.size(sent)) of \(Bytes.size(bytes.count))"
            transcript.add(label, "send \(description): \(why)", at: stepTime)
            throw StepFailure(message: "\(label) could not send \(description): \(why)", location: s.location)
        }
        transcript.add(label, "sent \(Bytes.size(bytes.count)): \(description)", at: stepTime)
    }

    func fileBytes(_ path: String, at location: SourceLocation) throws -> [UInt8] {
        do {
            return try FixtureFile.read(path, in: runner.lessonDirectory)
        } catch {
            throw CheckError(message: "\(error.message) (\(location))")
        }
    }

    // MARK: Expectations on streams

    enum Want {
        case bytes([UInt8], label: String)
        case pattern(Regex<AnyRegexOutput>, label: String)
    }

    func want(_ data: ExpectedData, vars: [String: Int], at location: SourceLocation) throws -> Want {
        switch data {
        case .text(let b), .hex(let b):
            return .bytes(b, label: Bytes.isText(b) ? Bytes.quoted(b) : "hex " + Bytes.hexWords(b, limit: 32) + " (\(Bytes.size(b.count)))")
        case .file(let path):
            let b = try fileBytes(path, at: location)
            return .bytes(b, label: "file \"\(path)\" (\(Bytes.size(b.count)))")
        case .named(let template):
            let dataName = name(template, vars)
            guard let b = self.data.withLock({ $0[dataName] }) else {
                throw StepFailure(message: "data `\(dataName)` was never sent", location: location)
            }
            return .bytes(b, label: "\(Bytes.size(b.count)) of `\(dataName)`")
        case .pattern(let p):
            let (regex, label) = try compiled(p, at: location)
            return .pattern(regex, label: label)
        }
    }

    enum Verdict {
        case pass(String?)
        case fail(String, [String])
        case wait
    }

    /// Polls until `evaluate` passes or fails, or the bound runs out (then `timeout` says why).
    func poll(until deadline: ContinuousClock.Instant, at location: SourceLocation,
              _ evaluate: () async throws -> Verdict, timeout: () async -> (String, [String])?) async throws -> String? {
        // 1 ms at first, backing off to 10 ms: quick for one client, light for `parallel 1000`.
        var interval = Duration.milliseconds(1)
        while true {
            switch try await evaluate() {
            case .pass(let note): return note
            case .fail(let message, let details): throw StepFailure(message: message, details: details, location: location)
            case .wait: break
            }
            if ContinuousClock.now >= deadline {
                // One last look: what arrived just now counts.
                if case .pass(let note) = try await evaluate() { return note }
                // Steps that take exactly their duration (silence, alive for, no log for) pass here.
                guard let (message, details) = await timeout() else { return nil }
                throw StepFailure(message: message, details: details, location: location)
            }
            let remaining = deadline - ContinuousClock.now
            try await Task.sleep(for: max(.zero, min(interval, remaining)))
            interval = min(interval * 2, .milliseconds(10))
        }
    }

    /// `expect X DATA|eof|reset|closed|silence` on one record (a client, or an upstream's latest
    /// connection) or, with `anyOf`, on any of several (an upstream's `received`).
    func expectStream(label: String, records: @escaping () -> [StreamRecord], anyOf: Bool,
                      _ expectation: StreamExpectation, vars: [String: Int], at location: SourceLocation) async throws {
        let started = ContinuousClock.now
        switch expectation {
        case .receives(let data, let within):
            let bound = within ?? stepTimeout
            let want = try self.want(data, vars: vars, at: location)
            let wantLabel: String
            switch want {
            case .bytes(_, let l), .pattern(_, let l): wantLabel = l
            }
            var checked: [ObjectIdentifier: Int] = [:]
            var seenCount: [ObjectIdentifier: Int] = [:]
            let note = try await poll(until: started + bound, at: location, {
                let candidates = records()
                for record in candidates {
                    let id = ObjectIdentifier(record)
                    switch want {
                    case .bytes(let expected, _) where anyOf:
                        // An upstream may have received other bytes first that no expect matched
                        // (a proxy forwards everything): DATA may come anywhere after them.
                        let (found, next) = record.find(expected, searched: checked[id] ?? 0)
                        if found {
                            return .pass("received \(Bytes.size(expected.count)): \(expected.count <= 160 && Bytes.isText(expected) ? Bytes.quoted(expected) : wantLabel)")
                        }
                        checked[id] = next
                    case .bytes(let expected, _):
                        let (match, end) = record.matchPrefix(expected, checked: checked[id] ?? 0)
                        switch match {
                        case .complete:
                            return .pass("received \(Bytes.size(expected.count)): \(expected.count <= 160 && Bytes.isText(expected) ? Bytes.quoted(expected) : wantLabel)")
                        case .mismatch(let d):
                            if anyOf { continue }
                            let available = Array(record.unmatched)
                            return .fail("expected \(wantLabel) from \(label); got \(gotText(available)), which differs at byte \(d)",
                                         Bytes.diff(expected: expected, received: available, offset: d))
                        case .partial(let n):
                            checked[id] = n
                            if let end, !anyOf {
                                let available = Array(record.unmatched)
                                return .fail("expected \(wantLabel) from \(label); got \(gotText(available)), then the connection ended: \(end.words)",
                                             available.isEmpty ? [] : Bytes.diff(expected: expected, received: available, offset: available.count))
                            }
                        }
                    case .pattern(let regex, _):
                        let status = record.status
                        if seenCount[id] == status.unmatched, status.end == nil { continue }
                        seenCount[id] = status.unmatched
                        let available = Array(record.unmatched)
                        let text = String(decoding: available, as: UTF8.self)
                        let outcome = await PatternMatcher.shared.firstMatch(regex, in: text, until: started + bound)
                        if let range = try matched(outcome, pattern: wantLabel, at: location) {
                            record.consume(min(range.upperBound, available.count))
                            return .pass("received \(Bytes.quoted(Array(Array(text.utf8)[range]))) matching \(wantLabel)")
                        }
                        if let end = status.end, !anyOf {
                            return .fail("expected text matching \(wantLabel) from \(label); got \(gotText(available)), then the connection ended: \(end.words)", [])
                        }
                    }
                }
                return .wait
            }, timeout: {
                let candidates = records()
                if candidates.isEmpty {
                    return ("expected \(wantLabel) at \(label) within \(bound.scriptText); no connection reached it", [])
                }
                if anyOf {
                    var details: [String] = []
                    for (i, r) in candidates.enumerated().suffix(3) {
                        details.append("connection \(i + 1) received \(gotText(Array(r.unmatched)))")
                    }
                    return ("expected \(wantLabel) at \(label) within \(bound.scriptText); no connection received it", details)
                }
                let available = Array(candidates[0].unmatched)
                var details: [String] = []
                if case .bytes(let expected, _) = want, !available.isEmpty {
                    details = Bytes.diff(expected: expected, received: available, offset: available.count)
                } else if !available.isEmpty {
                    details = ["received: " + Bytes.quoted(available, limit: 200)]
                }
                return ("expected \(wantLabel) from \(label) within \(bound.scriptText); got \(gotText(available))\(available.isEmpty ? "" : ", then nothing")", details)
            })
            if let note { transcript.add(label, note) }

        case .ends(let end, let after, let within):
            let bound = within ?? stepTimeout
            let kind: String = switch end {
            case .eof: "eof (FIN)"
            case .reset: "reset (RST)"
            case .closed: "the connection to close (FIN or RST)"
            }
            let note = try await poll(until: started + bound, at: location, {
                guard let record = records().last else { return .wait }
                let s = record.status
                if end == .eof, s.unmatched > 0 {
                    let unmatched = Array(record.unmatched)
                    return .fail("expected eof (FIN) from \(label); \(Bytes.size(unmatched.count)) that no expect matched arrived first: \(Bytes.quoted(unmatched, limit: 80))", [])
                }
                guard let how = s.end, let time = s.endTime else { return .wait }
                let elapsed = time - started
                switch (end, how) {
                case (_, .local):
                    return .fail("expected \(kind) from \(label), but netlab closed that connection itself earlier in the check", [])
                case (.eof, .fin), (.reset, .reset), (.closed, .fin), (.closed, .reset), (.closed, .error):
                    break
                default:
                    return .fail("expected \(kind) from \(label); the connection ended with \(how.words)", [])
                }
                if let after, elapsed < after {
                    let when = elapsed < .zero ? "before the step began" : "\(seconds(elapsed)) after the step began"
                    return .fail("expected \(label)'s connection to end no sooner than \(after.scriptText); it ended with \(how.words) \(when)", [])
                }
                if let after { recordEvent(at: started + after) }
                return .pass("\(how.words)" + (elapsed > .zero ? " after \(seconds(elapsed))" : ""))
            }, timeout: {
                guard let record = records().last else {
                    return ("expected \(kind) at \(label) within \(bound.scriptText); no connection reached it", [])
                }
                let unmatched = record.unmatchedCount
                return ("expected \(kind) from \(label) within \(bound.scriptText); the connection is still open"
                        + (unmatched > 0 ? " (\(Bytes.size(unmatched)) arrived that no expect matched)" : ""), [])
            })
            if let note { transcript.add(label, note) }

        case .silence(let duration):
            _ = try await poll(until: started + duration, at: location, {
                guard let record = records().last else { return .wait }
                let s = record.status
                if s.unmatched > 0 {
                    let unmatched = Array(record.unmatched)
                    let at = s.lastArrival.map { $0 - started } ?? .zero
                    return .fail("expected silence from \(label) for \(duration.scriptText); "
                                 + (at > .milliseconds(1) ? "after \(seconds(at)) " : "") + "it received \(Bytes.size(unmatched.count)): \(Bytes.quoted(unmatched, limit: 80))", [])
                }
                if let how = s.end, how != .local {
                    return .fail("expected silence from \(label) for \(duration.scriptText); the connection ended with \(how.words)", [])
                }
                return .wait
            }, timeout: { nil })
            transcript.add(label, "silent for \(duration.scriptText)")
        }
    }

    func gotText(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "nothing" }
        if bytes.count > 160 || !Bytes.isText(bytes) { return Bytes.size(bytes.count) }
        return Bytes.quoted(bytes)
    }

    // MARK: Upstreams

    func expectUpstream(_ e: UpstreamExpectation, vars: [String: Int]) async throws {
        guard let peer = upstreams[e.upstream] else {
            throw CheckError(message: "unknown upstream \(e.upstream) (\(e.location))")
        }
        let label = e.upstream
        switch e.condition {
        case .stream(let expectation):
            if case .receives = expectation {
                try await expectStream(label: "upstream \(label)", records: { peer.connections.map(\.record) }, anyOf: true,
                                       expectation, vars: vars, at: e.location)
            } else {
                try await expectStream(label: "upstream \(label)", records: { peer.latest.map { [$0.record] } ?? [] }, anyOf: false,
                                       expectation, vars: vars, at: e.location)
            }
        case .connections(let comparison, let within):
            let bound = within ?? stepTimeout
            let started = ContinuousClock.now
            let rhs = try evaluate(comparison.rhs, vars: vars, at: e.location)
            guard case .count(let limit) = rhs else { throw CheckError(message: "connections compare with counts (\(e.location))") }
            let note = try await poll(until: started + bound, at: e.location, {
                let count = peer.connections.count
                return compare(count, comparison.op, limit)
                    ? .pass("connections = \(count), expected \(comparison.op.rawValue) \(expressionText(comparison.rhs)) = \(limit)")
                    : .wait
            }, timeout: {
                ("expected upstream \(label) to have accepted \(comparison.op.rawValue) \(expressionText(comparison.rhs))"
                 + (expressionText(comparison.rhs) == "\(limit)" ? "" : " = \(limit)")
                 + " connections within \(bound.scriptText); it has accepted \(peer.connections.count)", [])
            })
            if let note { transcript.add("upstream \(label)", note) }
        }
    }

    // MARK: The server

    func runningMetrics(at location: SourceLocation) throws -> ProcessMetrics {
        guard let process else { throw StepFailure(message: notReady, location: location) }
        guard let metrics = process.metrics() else {
            throw StepFailure(message: "the server is not running: it \(process.exitStatus?.description ?? "has gone")",
                              details: lastLogLines(), location: location)
        }
        return metrics
    }

    func expectServer(_ e: ServerExpectation, vars: [String: Int]) async throws {
        let started = ContinuousClock.now
        let location = e.location
        switch e.condition {
        case .log(let pattern, let within):
            let bound = within ?? stepTimeout
            let (regex, shown) = try compiled(pattern, at: location)
            // Lines already tried against this pattern are not tried again.
            var next = 0
            let note = try await poll(until: started + bound, at: location, {
                let lines = process?.lines(from: next).filter { $0.stream == .stderr } ?? []
                let used = usedLogLines.withLock { $0 }
                if let last = lines.last { next = last.sequence + 1 }
                let candidates = lines.filter { !used.contains($0.sequence) && isAfterEventMark($0) }
                let outcome = await PatternMatcher.shared.firstMatchingLine(regex, in: candidates.map(\.text), until: started + bound)
                if let index = try matched(outcome, pattern: shown, at: location)?.lowerBound {
                    let line = candidates[index]
                    usedLogLines.withLock { _ = $0.insert(line.sequence) }
                    return .pass("log \(shown) matched \(Bytes.quoted(Array(line.text.utf8), limit: 120))")
                }
                if let process, process.exitStatus != nil, process.outputClosed {
                    return .fail("expected a line of the server's log to match \(shown); none did, and the server \(process.exitStatus!)",
                                 lastLogLines())
                }
                return .wait
            }, timeout: {
                let all = process?.lines.filter { $0.stream == .stderr } ?? []
                let early = all.filter { !isAfterEventMark($0) }
                // Through the matcher too: a slow pattern only loses this explanation.
                let earlyOutcome = await PatternMatcher.shared.firstMatchingLine(regex, in: early.map(\.text), until: .now)
                let earlyMatch = if case .done(let range?) = earlyOutcome { early[range.lowerBound] } else { Optional<OutputLine>.none }
                var why = ""
                if let earlyMatch {
                    why = "; \(Bytes.quoted(Array(earlyMatch.text.utf8), limit: 120)) matched, but it was logged before the"
                        + " event it is about (the reset, close or timeout earlier in this check), so it does not count"
                } else if !all.isEmpty && usedLogLines.withLock({ !$0.isEmpty }) {
                    why = " (lines matched by earlier log steps do not count)"
                }
                return ("expected a line of the server's log to match \(shown) within \(bound.scriptText); none of its \(all.count) lines did" + why,
                        lastLogLines())
            })
            if let note { transcript.add("netlab", note) }

        case .noLog(let pattern, let duration):
            let (regex, shown) = try compiled(pattern, at: location)
            var next = 0  // lines already tried are not tried again
            _ = try await poll(until: started + (duration ?? .zero), at: location, {
                let lines = process?.lines(from: next).filter { $0.stream == .stderr } ?? []
                if let last = lines.last { next = last.sequence + 1 }
                let outcome = await PatternMatcher.shared.firstMatchingLine(regex, in: lines.map(\.text), until: started + (duration ?? .zero))
                if let index = try matched(outcome, pattern: shown, at: location)?.lowerBound {
                    let line = lines[index]
                    return .fail("expected no line of the server's log to match \(shown); it logged \(Bytes.quoted(Array(line.text.utf8), limit: 120))", [])
                }
                return .wait
            }, timeout: { nil })
            transcript.add("netlab", "no log line matched \(shown)" + (duration.map { " for \($0.scriptText)" } ?? ""))

        case .logCount(let pattern, let comparison, let duration):
            try await expectLogCount(pattern, comparison, for: duration, vars: vars, started: started, at: location)

        case .alive(let duration):
            guard let process else { throw StepFailure(message: notReady, location: location) }
            _ = try await poll(until: started + (duration ?? .zero), at: location, {
                if let status = process.exitStatus {
                    return .fail("expected the server to be running" + (duration.map { " for \($0.scriptText)" } ?? "")
                                 + "; it \(status)" + (process.exitTime.map { $0 > started ? " \(seconds($0 - started)) into the step" : "" } ?? ""),
                                 lastLogLines())
                }
                return .wait
            }, timeout: { nil })
            transcript.add("netlab", "server alive" + (duration.map { " for \($0.scriptText)" } ?? ""))

        case .exited(let status, let within):
            let bound = within ?? stepTimeout
            guard let process else { throw StepFailure(message: notReady, location: location) }
            guard let exit = await process.waitExit(timeout: bound) else {
                try Task.checkCancellation()
                throw StepFailure(message: "expected the server to exit within \(bound.scriptText); it is still running", location: location)
            }
            if let status, exit != .exited(Int32(truncatingIfNeeded: status)) {
                throw StepFailure(message: "expected the server to exit with status \(status); it \(exit)", details: lastLogLines(), location: location)
            }
            transcript.add("netlab", "server \(exit)")

        case .metric(let metric, let comparison, let within):
            let bound = within ?? stepTimeout
            let rhs = try evaluate(comparison.rhs, vars: vars, at: location)
            var last: Measured?
            let note = try await poll(until: started + bound, at: location, {
                let metrics = try runningMetrics(at: location)
                let value = metrics.measured(metric)
                last = value
                let holds: Bool = switch (value, rhs) {
                case (.count(let a), .count(let b)): compare(a, comparison.op, b)
                case (.duration(let a), .duration(let b)): compare(a, comparison.op, b)
                default: false
                }
                return holds ? .pass("server \(metric.rawValue) = \(text(value, metric.quantity)), expected \(comparison.op.rawValue) "
                                     + "\(expressionText(comparison.rhs)) = \(text(rhs, metric.quantity))") : .wait
            }, timeout: {
                ("expected the server's \(metric.rawValue) \(comparison.op.rawValue) \(expressionText(comparison.rhs))"
                 + (expressionText(comparison.rhs) == text(rhs, metric.quantity) ? "" : " = \(text(rhs, metric.quantity))")
                 + " within \(bound.scriptText); it was \(last.map { text($0, metric.quantity) } ?? "unknown")", [])
            })
            if let note { transcript.add("netlab", note) }
        }
    }

    // MARK: Values

    /// The value of `expression`, in checked arithmetic: a sum beyond 64 bits fails the step.
    func evaluate(_ expression: Expression, vars: [String: Int], at location: SourceLocation) throws -> Measured {
        let sum = try expression.checkedSum { operand throws -> Int64? in
            switch operand {
            case .loopVariable(let name): return Int64(vars[name] ?? 0)
            case .capture(let name):
                switch captures.withLock({ $0[name] }) {
                case .count(let n)?: return Int64(n)
                case .duration(let d)?: return d.checkedNanoseconds
                case nil: throw StepFailure(message: "`\(name)` was never measured (its capture step did not run)", location: location)
                }
            default: return Expression.literalValue(operand)
            }
        }
        guard let sum, let count = Int(exactly: sum) else {
            throw StepFailure(message: "`\(expressionText(expression))` overflows: its value does not fit in 64 bits", location: location)
        }
        return expression.quantity == .duration ? .duration(.nanoseconds(sum)) : .count(count)
    }

    func text(_ value: Measured, _ quantity: Quantity) -> String {
        switch value {
        case .count(let n): quantity == .bytes ? Bytes.size(n) : "\(n)"
        case .duration(let d): seconds(d)
        }
    }

    func expressionText(_ e: Expression) -> String {
        var out = ""
        for (i, term) in e.terms.enumerated() {
            if i > 0 { out += term.sign == .plus ? " + " : " - " } else if term.sign == .minus { out += "-" }
            switch term.operand {
            case .integer(let n): out += "\(n)"
            case .size(let n): out += Bytes.size(n).replacingOccurrences(of: " ", with: "")
            case .duration(let d): out += d.scriptText
            case .capture(let name), .loopVariable(let name): out += name
            }
        }
        return out
    }

    /// A pattern compiled with its `{NAME.addr}`, `{NAME.port}` and `{NAME.name}` filled in, and how to show
    /// it: as written, followed by the values it was given.
    func compiled(_ pattern: Pattern, at location: SourceLocation) throws -> (Regex<AnyRegexOutput>, String) {
        var values: [String] = []
        let source = try pattern.rendered { reference in
            let address: String
            switch reference.owner {
            case .upstream:
                guard let peer = upstreams[reference.name] else { throw CheckError(message: "unknown upstream \(reference.name) (\(location))") }
                address = peer.address
            case .client:
                guard let from = clientAddresses.withLock({ $0[reference.name] }) else {
                    throw StepFailure(message: "\(reference.text) names client \(reference.name), which has not connected", location: location)
                }
                address = from
            case .serverName:
                guard let name = serverNames.withLock({ $0[reference.name] }) else {
                    throw StepFailure(message: "\(reference.text) names a server name that no hello has made yet", location: location)
                }
                values.append("\(reference.text) = \(name)")
                return name
            }
            let value = reference.field == "port" ? String(address.split(separator: ":").last ?? "") : address
            values.append("\(reference.text) = \(value)")
            return value
        }
        guard let regex = try? Regex(source) else { throw CheckError(message: "the pattern \(pattern) does not compile (\(location))") }
        return (regex, values.isEmpty ? pattern.description : "\(pattern) (\(values.joined(separator: ", ")))")
    }

    func placeholderValue(_ p: Placeholder, vars: [String: Int], at location: SourceLocation) throws -> String {
        if case .listen = p { return try serverAddressOrFail(at: location) }
        if case .loopVariable(let name) = p { return "\(vars[name] ?? 0)" }
        return try CheckExecution.placeholderValue(p, runner: runner, upstreams: upstreams, tmp: tmp, forStart: false)
    }

    /// The value of a placeholder. In `start` lines, `{listen}` is `127.0.0.1:0`: the program
    /// picks a free port and says which in its ready line.
    static func placeholderValue(_ p: Placeholder, runner: CheckRunner, upstreams: [String: UpstreamPeer],
                                 tmp: URL, forStart: Bool) throws -> String {
        switch p {
        case .listen: return "127.0.0.1:0"
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

// MARK: - Helpers

extension CheckRunner {
    /// A path as written, relative to the lesson folder unless absolute.
    func path(_ text: String) -> String {
        text.hasPrefix("/") ? text : lessonDirectory.appendingPathComponent(text).path
    }
}

func compare<T: Comparable>(_ a: T, _ op: Comparison.Operator, _ b: T) -> Bool {
    switch op {
    case .less: a < b
    case .lessOrEqual: a <= b
    case .equal: a == b
    case .notEqual: a != b
    case .greaterOrEqual: a >= b
    case .greater: a > b
    }
}

/// `0.251s`
func seconds(_ d: Duration) -> String {
    let ms = Int64(d.components.seconds) * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    return "\(ms / 1000).\(String(format: "%03d", abs(ms % 1000)))s"
}

func reason(_ error: any Error) -> String {
    if let net = error as? NetError { return net.reason }
    return "\(error)"
}

func isTimeout(_ error: any Error) -> Bool {
    (error as? NetError)?.isTimeout ?? false
}

func hostPart(_ address: String) -> String {
    guard let colon = address.lastIndex(of: ":") else { return address }
    var host = String(address[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return host
}

func isIPLiteral(_ host: String) -> Bool {
    host.contains(":") || (host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." })
}

/// The ready line's address, made connectable: `0.0.0.0:P` and `:P` become `127.0.0.1:P`,
/// `[::]:P` becomes `[::1]:P`.
func connectableAddress(_ address: String) -> String {
    let host = hostPart(address)
    let port = address.split(separator: ":").last.map(String.init) ?? ""
    switch host {
    case "", "0.0.0.0": return "127.0.0.1:\(port)"
    case "::": return "[::1]:\(port)"
    default: return address
    }
}

/// An argument as a shell would need it.
func shellQuoted(_ s: String) -> String {
    if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:=,@+{}".contains($0) }) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

extension Bytes {
    /// `16 03 01 00 2a`, cut after `limit` bytes.
    static func hexWords(_ bytes: [UInt8], limit: Int) -> String {
        "\"" + bytes.prefix(limit).map(hex).joined(separator: " ") + (bytes.count > limit ? " …" : "") + "\""
    }
}

/// The bytes of `RandomData.bytes(count:seed:)`, made eight at a time (a debug build makes 8 MiB
/// in a fraction of the time).
func fastRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    guard count > 0 else { return [] }
    let words = (count + 7) / 8
    var out = [UInt8](repeating: 0, count: words * 8)
    out.withUnsafeMutableBytes { raw in
        let p = raw.baseAddress!
        var state = seed
        for w in 0..<words {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            p.storeBytes(of: z.littleEndian, toByteOffset: w * 8, as: UInt64.self)
        }
    }
    out.removeLast(words * 8 - count)
    return out
}

/// How a check's clients are let go at its end: first they stop reading, then (once the
/// program is stopped) they are closed.
struct ClientShutdown {
    var stopReading: () -> Void
    var close: () -> Void
}
