import CheckLanguage
import CheckResults
import Foundation
import NetCore

/// `connect NAME websocket PATH`: the HTTP/1.1 upgrade (RFC 6455 §4.1) after TCP connects. The
/// client sends a GET with a fresh `Sec-WebSocket-Key`, then waits (bounded by the step) for a
/// `101` whose `Upgrade`, `Connection` and `Sec-WebSocket-Accept` are right; the head is then
/// consumed, so that the client's `expect` steps begin with the first frame.
extension CheckExecution {
    func upgradeWebSocket(
        _ client: Client, path: String, host: String, deadline: ContinuousClock.Instant, bound: Duration, label: String,
        at location: SourceLocation
    ) async throws -> String {
        let key = WebSocketWire.newKey()
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        do {
            try client.conn.setWriteDeadline(deadline)
            try await client.sendLock.lock()
            defer { client.sendLock.unlock() }
            try await client.conn.write(Array(request.utf8))
            try? client.conn.setWriteDeadline(nil)
        } catch {
            throw StepFailure(message: "\(label) could not send its WebSocket upgrade request: \(NetError.reason(of: error))", location: location)
        }
        // Read here, before the client's reader starts, so that a `no-read` client reads the
        // answer and nothing more until an expect asks; what came after the head is kept.
        let expected = WebSocketWire.accept(forKey: key)
        var bytes: [UInt8] = []
        var head: HTTPResponseHead?
        do {
            try client.conn.setReadDeadline(deadline)
            reading: while true {
                switch HTTPResponseHead.scan(Array(bytes.prefix(HTTPResponseHead.maximumSize + 1))) {
                case .head(let h):
                    head = h
                    break reading
                case .invalid(let why):
                    throw StepFailure(
                        message: "\(label) sent a WebSocket upgrade for \(path); the answer is not an HTTP response: \(why)", location: location)
                case .incomplete:
                    let piece = try await client.conn.read(
                        upToCount: HTTPResponseHead.maximumSize + 1 - min(bytes.count, HTTPResponseHead.maximumSize))
                    if piece.isEmpty {
                        throw StepFailure(
                            message:
                                "\(label) sent a WebSocket upgrade for \(path); the server answered \(gotText(bytes)), then closed the connection (FIN)",
                            location: location)
                    }
                    bytes += piece
                }
            }
            try? client.conn.setReadDeadline(nil)
        } catch let failure as StepFailure {
            throw failure
        } catch {
            let why = isTimeout(error) ? "no complete answer within \(bound.scriptText)" : NetError.reason(of: error)
            throw StepFailure(
                message: "\(label) sent a WebSocket upgrade for \(path); \(why) (got \(gotText(Array(bytes.prefix(200)))))", location: location)
        }
        client.record.append(bytes)
        client.webSocket?.feed(bytes)
        guard let head else { return "" }
        client.record.consume(head.size)
        if let problem = Self.upgradeProblem(head, accept: expected) {
            throw StepFailure(
                message: "\(label) sent a WebSocket upgrade for \(path); \(problem)",
                details: ["request key: \(key), so Sec-WebSocket-Accept should be \(expected)"] + Self.headerLines(head), location: location)
        }
        return ", upgraded to WebSocket \(path) (101, Sec-WebSocket-Accept \(expected))"
    }

    /// What is wrong with an answer to an upgrade, or nil when it accepts it properly.
    static func upgradeProblem(_ head: HTTPResponseHead, accept: String) -> String? {
        guard head.status == 101 else {
            return "the server answered \(head.statusLine), not 101 Switching Protocols"
        }
        guard head.value("Upgrade")?.lowercased() == "websocket" else {
            return "the 101 has no `Upgrade: websocket` header"
        }
        guard head.has("Connection", token: "upgrade") else {
            return "the 101's `Connection` header does not hold `Upgrade`"
        }
        guard let got = head.value("Sec-WebSocket-Accept") else {
            return "the 101 has no `Sec-WebSocket-Accept` header"
        }
        guard got == accept else {
            return "the 101's Sec-WebSocket-Accept is \(Bytes.quoted(Array(got.utf8), limit: 60)); expected \"\(accept)\" "
                + "(base64 of SHA-1 of the key followed by 258EAFA5-E914-47DA-95CA-C5AB0DC85B11)"
        }
        if let ext = head.value("Sec-WebSocket-Extensions") {
            return "the 101 agrees to extensions the client did not offer: \(Bytes.quoted(Array(ext.utf8), limit: 60))"
        }
        return nil
    }
}
