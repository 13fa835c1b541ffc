import CheckLanguage
import CheckResults
import Foundation
import NetCore

/// A check's clients: finding them by name, and the `connect` step, which dials TCP and, for
/// `tls-connect`, adds the TLS layer (TLSClientLayer.swift). A new kind of client (WebSocket, a
/// framed protocol) is a new layer in a file of its own, added here.
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
                let tls = try await handshakeTLS(
                    over: dialed, options, address: address, deadline: deadline,
                    progress: &progress, at: c.location)
                conn = tls.conn
                detail += tls.detail
            }
            if c.expectFailure {
                try? conn.close()
                transcript.add(label, "\(what): \(detail)", at: stepTime)
                throw StepFailure(
                    message: "expected \(verb) \(label) to \(address) to fail within \(bound.scriptText); it succeeded (\(detail))",
                    location: c.location)
            }
            let session = c.webSocket.map { WebSocketSession(answersPings: $0.answersPings) }
            let client = Client(name: name, conn: conn, tcp: dialed, webSocket: session)
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
            if let session {
                onData = { [onData] bytes in
                    onData?(bytes)
                    session.feed(bytes)
                }
                session.startAnswering(client) { [transcript] payload in
                    transcript.add(
                        label, "answered the server's ping: sent ws " + WebSocketWire.describe(opcode: WebSocketOpcode.pong, payload: payload))
                }
            }
            let onEnd: @Sendable (StreamRecord.End) -> Void = { [transcript, record = client.record] end in
                session?.finish()
                if end != .local {
                    transcript.add(
                        label,
                        "connection ended: \(end.words)"
                            + (verbose ? " after \(record.totalCount) bytes in all" : ""))
                }
            }
            let onFull: @Sendable (Int) -> Void = { [transcript] held in
                transcript.add(
                    label,
                    "stopped reading for now: netlab holds \(Bytes.size(held)) that no expect matched (the limit is \(Bytes.size(StreamRecord.unmatchedLimit)) per connection)"
                )
            }
            if let ws = c.webSocket {
                what += " websocket \(ws.path)"
                do {
                    detail += try await upgradeWebSocket(
                        client, path: ws.path, host: address, deadline: deadline, bound: bound, label: label, at: c.location)
                    if !ws.answersPings { detail += ", never answering pings" }
                } catch {
                    transcript.add(label, "\(what): \(detail)", at: stepTime)
                    throw error
                }
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
            let why =
                stalled
                ? progress.timeoutReason(bound: bound, origin: transcript.origin)
                : isTimeout(error) ? "no connection within \(bound.scriptText)" : NetError.reason(of: error)
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
                progress.record(
                    in: transcript, label: label, what: what, localAddress: clientAddresses.withLock { $0[name] } ?? "?",
                    bound: bound)
            } else {
                transcript.add(label, "\(what): \(why)", at: stepTime)
            }
            throw StepFailure(
                message: "\(label) could not \(verb == "connect" ? "connect" : "connect with TLS") to \(address): \(why)",
                details: serverAddress == nil ? lastLogLines() : [], location: c.location)
        }
    }
}
