import CheckLanguage
import CheckResults
import Foundation
import NetCore
import NetTLS
import Synchronization

/// A checker-owned peer (`upstream echo|sink|reply-at-eof|silent|close|half-close|refuse|blackhole|tls-echo as NAME`): it listens on
/// 127.0.0.1 at a free port, accepts every connection, and records what each one received and
/// when it came and ended. An `echo` or `sink` may have faults (`down for`, `reset first`,
/// `close after`; see ``UpstreamFaults``), which `UpstreamPeer+Faults.swift` carries out.
package final class UpstreamPeer: Sendable {
    final class Connection: Sendable {
        let number: Int
        let remote: String
        let record = StreamRecord()
        let conn: any Conn
        /// When it was accepted: the start of a connection, for `expect UP wait …`.
        let acceptedAt: ContinuousClock.Instant
        /// For tls-echo: the server name the client asked for (nil: none), once the handshake is done.
        let sni = Mutex<String?>(nil)

        init(number: Int, remote: String, conn: any Conn) {
            self.number = number
            self.remote = remote
            self.conn = conn
            acceptedAt = .now
        }
    }

    let name: String
    let kind: Upstream.Kind
    let faults: UpstreamFaults
    /// `127.0.0.1:PORT`
    package let address: String
    /// Set at once, or once a `down for` upstream comes up.
    let listener = Mutex<TCPListener?>(nil)
    private let blackhole: Blackhole?
    let reservation: PortReservation?
    /// Stopped: a `down for` upstream coming up later must not listen any more.
    let stopped = Mutex(false)
    private let connectionList = Mutex<[Connection]>([])
    let acceptTask = Mutex<Task<Void, Never>?>(nil)
    private let handlers = Mutex<[Task<Void, Never>]>([])

    /// Starts listening (a `down for` upstream only holds its port, and listens later). `tls` is
    /// the configuration for `tls-echo`.
    package init(
        name: String, kind: Upstream.Kind, faults: UpstreamFaults = UpstreamFaults(), tls: TLSServerConfig?, transcript: Transcript
    ) throws {
        self.name = name
        self.kind = kind
        self.faults = faults
        if case .blackhole = kind {
            let blackhole = try Blackhole()
            self.blackhole = blackhole
            address = blackhole.address
            reservation = nil
            return
        }
        blackhole = nil
        if let downFor = faults.downFor {
            let reservation = try PortReservation()
            self.reservation = reservation
            address = reservation.address
            comeUp(after: downFor, tls: tls, transcript: transcript)
            return
        }
        reservation = nil
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        address = listener.address.description
        if case .refuse = kind {
            // The port was free a moment ago and nothing listens on it now: connecting is refused.
            try? listener.close()
            return
        }
        self.listener.withLock { $0 = listener }
        acceptTask.withLock { $0 = Task { await self.acceptLoop(listener, tls: tls, transcript: transcript) } }
    }

    /// Accepts until the listener closes, a handler task for each connection.
    func acceptLoop(_ listener: TCPListener, tls: TLSServerConfig?, transcript: Transcript) async {
        while true {
            guard let conn = try? await listener.accept() else { break }
            let number = connectionList.withLock { $0.count + 1 }
            var wrapped: any Conn = conn
            if case .tlsEcho = kind, let tls { wrapped = TLSConn.server(wrapping: conn, config: tls) }
            let connection = Connection(number: number, remote: conn.remoteAddress.description, conn: wrapped)
            connectionList.withLock { $0.append(connection) }
            transcript.add("upstream \(name)", "accepted connection \(number) from \(connection.remote)")
            if resetAtOnce(connection, tcp: conn, transcript: transcript) { continue }
            let handler = Task { await self.handle(connection, tcp: conn, transcript: transcript) }
            handlers.withLock { $0.append(handler) }
        }
    }

    private func handle(_ c: Connection, tcp: TCPConn, transcript: Transcript) async {
        let onEnd: @Sendable (StreamRecord.End) -> Void = { [name] end in
            if end != .local { transcript.add("upstream \(name)", "connection \(c.number): \(end.words)") }
        }
        let onFull: @Sendable (Int) -> Void = { [name] held in
            transcript.add("upstream \(name)", "connection \(c.number): stopped reading for now: it holds \(Bytes.size(held)) that no expect matched")
        }
        switch kind {
        case .echo where faults.closeAfter != nil, .sink where faults.closeAfter != nil:
            await pumpClosingAfter(c, echo: kind == .echo, onFull: onFull, onEnd: onEnd, transcript: transcript)
            try? c.conn.close()
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
        stopped.withLock { $0 = true }
        reservation?.release()
        try? listener.withLock({ $0 })?.close()
        blackhole?.stop()
        acceptTask.withLock { $0?.cancel() }
        for c in connections { try? c.conn.close() }
        handlers.withLock { $0.forEach { $0.cancel() } }
    }
}
