import CheckLanguage
import CheckResults
import Foundation
import NetCore
import NetTLS

/// The steps of a check's clients: finding them by name, `connect` / `tls-connect`, `send`.
extension CheckExecution {
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
}
