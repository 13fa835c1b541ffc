import CheckLanguage
import CheckResults
import Foundation
import NetCore

/// The `send` step: text, hex, a fixture file, random bytes, a named payload or a fresh
/// ClientHello, written to one client.
extension CheckExecution {
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
                    throw StepFailure(
                        message: "\(label) cannot send random data `\(dataName)`: the check would keep \(Bytes.size(kept + random.size)) "
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
        case .keyValue(let requests):
            (bytes, description) = keyValueBytes(requests)
        case .webSocket(let frames):
            bytes = frames.flatMap(WebSocketWire.encode)
            let shown = frames.prefix(8).map(WebSocketWire.describe).joined(separator: ", ") + (frames.count > 8 ? ", …" : "")
            description = "ws \(shown) (\(frames.count == 1 ? "frame" : "\(frames.count) frames") of \(Bytes.size(bytes.count)))"
        }
        let bound = s.within ?? stepTimeout
        let deadline = ContinuousClock.now + bound
        if let delivery = s.delivery, delivery.pieceCount(total: bytes.count) > ScriptLimits.pieces {
            throw StepFailure(
                message: "\(label) cannot send \(description) in \(delivery.pieceCount(total: bytes.count)) pieces; "
                    + "a send may have at most \(ScriptLimits.pieces) pieces, so use larger chunks", location: s.location)
        }
        let pieces = s.delivery?.pieceSizes(total: bytes.count) ?? [bytes.count]
        if let delivery = s.delivery {
            description += " in \(pieces.count) chunks" + (delivery.pause.map { " every \($0.scriptText)" } ?? "")
        }
        var sent = 0
        let stepTime = ContinuousClock.now
        do {
            // Held across the pieces, so that a WebSocket client's pong never lands inside them.
            try await client.sendLock.lock()
            defer { client.sendLock.unlock() }
            try client.conn.setWriteDeadline(deadline)
            for (i, size) in pieces.enumerated() {
                try await client.conn.write(Array(bytes[sent..<sent + size]))
                client.noteActivity()
                sent += size
                clientBytesSent.withLock { $0 += size }
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
            if let net = error as? NetError {
                sent += net.bytesTransferred
                clientBytesSent.withLock { $0 += net.bytesTransferred }
            }
            try? client.conn.setWriteDeadline(nil)
            if s.untilClosed, !isTimeout(error) {
                // `until closed`: the server ending the connection is an allowed way to stop.
                transcript.add(
                    label,
                    "send \(description): stopped after \(Bytes.size(sent)) of \(Bytes.size(bytes.count)), "
                        + "the server ended the connection (\(NetError.reason(of: error)))", at: stepTime)
                return
            }
            let why =
                isTimeout(error)
                ? "only \(Bytes.size(sent)) of \(Bytes.size(bytes.count)) went out within \(bound.scriptText)"
                : "\(NetError.reason(of: error)) after \(Bytes.size(sent)) of \(Bytes.size(bytes.count))"
            transcript.add(label, "send \(description): \(why)", at: stepTime)
            throw StepFailure(message: "\(label) could not send \(description): \(why)", location: s.location)
        }
        switch s.payload {
        case .keyValue, .webSocket:
            transcript.add(label, "sent \(description)", at: stepTime)
        default:
            transcript.add(label, "sent \(Bytes.size(bytes.count)): \(description)", at: stepTime)
        }
    }

    func fileBytes(_ path: String, at location: SourceLocation) throws -> [UInt8] {
        do {
            return try FixtureFile.read(path, in: runner.lessonDirectory)
        } catch {
            throw CheckError(message: "\(error.message) (\(location))")
        }
    }
}
