import CheckLanguage
import CheckResults
import Foundation
import NetCore
import NetTLS
import Synchronization

/// A checker-owned peer (`upstream echo|sink|reply-at-eof|silent|close|half-close|refuse|blackhole|tls-echo as NAME`): it listens on
/// 127.0.0.1 at a free port, accepts every connection, and records what each one received.
package final class UpstreamPeer: Sendable {
    final class Connection: Sendable {
        let number: Int
        let remote: String
        let record = StreamRecord()
        let conn: any Conn
        /// For tls-echo: the server name the client asked for (nil: none), once the handshake is done.
        let sni = Mutex<String?>(nil)

        init(number: Int, remote: String, conn: any Conn) {
            self.number = number
            self.remote = remote
            self.conn = conn
        }
    }

    let name: String
    let kind: Upstream.Kind
    /// `127.0.0.1:PORT`
    package let address: String
    private let listener: TCPListener?
    private let blackhole: Blackhole?
    private let connectionList = Mutex<[Connection]>([])
    private let acceptTask = Mutex<Task<Void, Never>?>(nil)
    private let handlers = Mutex<[Task<Void, Never>]>([])

    /// Starts listening. `tls` is the configuration for `tls-echo`.
    package init(name: String, kind: Upstream.Kind, tls: TLSServerConfig?, transcript: Transcript) throws {
        self.name = name
        self.kind = kind
        if case .blackhole = kind {
            let blackhole = try Blackhole()
            self.blackhole = blackhole
            address = blackhole.address
            listener = nil
            return
        }
        blackhole = nil
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        address = listener.address.description
        if case .refuse = kind {
            // The port was free a moment ago and nothing listens on it now: connecting is refused.
            try? listener.close()
            self.listener = nil
            return
        }
        self.listener = listener
        let task = Task { [self] in
            while true {
                guard let conn = try? await listener.accept() else { break }
                let number = connectionList.withLock { $0.count + 1 }
                var wrapped: any Conn = conn
                if case .tlsEcho = kind, let tls { wrapped = TLSConn.server(wrapping: conn, config: tls) }
                let connection = Connection(number: number, remote: conn.remoteAddress.description, conn: wrapped)
                connectionList.withLock { $0.append(connection) }
                transcript.add("upstream \(name)", "accepted connection \(number) from \(connection.remote)")
                let handler = Task { await self.handle(connection, tcp: conn, transcript: transcript) }
                handlers.withLock { $0.append(handler) }
            }
        }
        acceptTask.withLock { $0 = task }
    }

    private func handle(_ c: Connection, tcp: TCPConn, transcript: Transcript) async {
        let onEnd: @Sendable (StreamRecord.End) -> Void = { [name] end in
            if end != .local { transcript.add("upstream \(name)", "connection \(c.number): \(end.words)") }
        }
        let onFull: @Sendable (Int) -> Void = { [name] held in
            transcript.add("upstream \(name)", "connection \(c.number): stopped reading for now: it holds \(Bytes.size(held)) that no expect matched")
        }
        switch kind {
        case .echo:
            await StreamRecord.pump(c.conn, into: c.record, echo: true, onFull: onFull, onEnd: onEnd)
        case .sink:
            await StreamRecord.pump(c.conn, into: c.record, onFull: onFull, onEnd: onEnd)
            try? c.conn.close()
        case .replyAtEOF:
            // The reply is the whole request, kept here (the record lets go of matched bytes),
            // up to the record's own limit.
            let collected = Mutex<[UInt8]>([])
            await StreamRecord.pump(
                c.conn, into: c.record,
                onData: { bytes in
                    collected.withLock { request in
                        if request.count + bytes.count <= StreamRecord.unmatchedLimit { request += bytes }
                    }
                }, onFull: onFull, onEnd: onEnd)
            if case (.fin, _)? = c.record.end {
                let request = collected.withLock { $0 }
                do {
                    try c.conn.setWriteDeadline(.after(.seconds(10)))
                    try await c.conn.write(request)
                    transcript.add(
                        "upstream \(name)", "connection \(c.number): replied with \(Bytes.size(request.count)) after the end of the request")
                } catch {
                    transcript.add("upstream \(name)", "connection \(c.number): the reply could not be written: \(error)")
                }
            }
            try? c.conn.close()
        case .silent:
            // Never reads, writes or closes; the connection is closed when the check ends.
            break
        case .close:
            try? c.conn.close()
            c.record.finish(.local)
        case .halfClose:
            do {
                try c.conn.setWriteDeadline(.after(.seconds(10)))
                try await c.conn.write(Array(UpstreamPeer.halfCloseGreeting.utf8))
                try tcp.closeWrite()
                transcript.add(
                    "upstream \(name)",
                    "connection \(c.number): sent \(Bytes.quoted(Array(UpstreamPeer.halfCloseGreeting.utf8))), then half-closed (FIN); still reading")
            } catch {
                transcript.add("upstream \(name)", "connection \(c.number): the greeting could not be written: \(error)")
            }
            await StreamRecord.pump(c.conn, into: c.record, onFull: onFull, onEnd: onEnd)
            try? c.conn.close()
        case .refuse, .blackhole:
            break
        case .tlsEcho:
            guard let tls = c.conn as? TLSConn else { return }
            do {
                try tcp.setDeadline(.after(.seconds(10)))
                try await tls.handshake()
                try tcp.setDeadline(nil)
                c.sni.withLock { $0 = tls.serverName }
                transcript.add(
                    "upstream \(name)",
                    "connection \(c.number): TLS handshake done, sni \(tls.serverName ?? "none")"
                        + (tls.negotiatedALPN.map { ", alpn \($0)" } ?? ""))
            } catch {
                transcript.add("upstream \(name)", "connection \(c.number): TLS handshake failed: \(error)")
                c.record.finish(.error("TLS handshake failed: \(error)"))
                try? c.conn.close()
                return
            }
            await StreamRecord.pump(c.conn, into: c.record, echo: true, onFull: onFull, onEnd: onEnd)
        }
    }

    /// What a `half-close` upstream writes before its FIN.
    static let halfCloseGreeting = "hello from upstream\n"

    var connections: [Connection] { connectionList.withLock { $0 } }
    var latest: Connection? { connectionList.withLock { $0.last } }

    /// Lets go of what every connection received so far and forgets the connections that
    /// ended: for `netlab run`, where upstreams live long and nothing expects anything of them.
    package func discardReceived() {
        for connection in connections { connection.record.consume(connection.record.unmatchedCount) }
        connectionList.withLock { $0.removeAll { $0.record.end != nil } }
    }

    /// Stops accepting and closes every connection.
    package func stop() {
        try? listener?.close()
        blackhole?.stop()
        acceptTask.withLock { $0?.cancel() }
        for c in connections { try? c.conn.close() }
        handlers.withLock { $0.forEach { $0.cancel() } }
    }
}
