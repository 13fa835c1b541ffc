import CheckResults
import CheckLanguage
import Foundation
import NetCore
import NetTLS
import Synchronization

/// The TCP connection under a `tls-connect` client, as the TLS layer reads it: counts the bytes
/// the server sent and when the last of them came, so that a handshake that stalls can be told
/// apart from one that never began ("the server sent 517 bytes, then nothing").
final class HandshakeWatch: HalfClosable, Sendable {
    let wrapped: TCPConn
    private let received = Mutex<(count: Int, last: ContinuousClock.Instant?)>((0, nil))

    init(_ wrapped: TCPConn) { self.wrapped = wrapped }

    /// Bytes read so far, and when the last of them came.
    var bytesIn: (count: Int, last: ContinuousClock.Instant?) { received.withLock { $0 } }

    private func count(_ n: Int) {
        guard n > 0 else { return }
        received.withLock { $0 = ($0.count &+ n, .now) }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        let n = try await wrapped.read(into: buffer)
        count(n)
        return n
    }

    func read(upToCount maxCount: Int) async throws -> [UInt8] {
        let bytes = try await wrapped.read(upToCount: maxCount)
        count(bytes.count)
        return bytes
    }

    func write(_ bytes: UnsafeRawBufferPointer) async throws { try await wrapped.write(bytes) }
    func close() throws { try wrapped.close() }
    func setDeadline(_ deadline: Deadline?) throws { try wrapped.setDeadline(deadline) }
    func setReadDeadline(_ deadline: Deadline?) throws { try wrapped.setReadDeadline(deadline) }
    func setWriteDeadline(_ deadline: Deadline?) throws { try wrapped.setWriteDeadline(deadline) }
    func closeWrite() throws { try wrapped.closeWrite() }
    func closeRead() throws { try wrapped.closeRead() }
    var localAddress: SocketAddress { wrapped.localAddress }
    var remoteAddress: SocketAddress { wrapped.remoteAddress }
}

/// How far a `tls-connect` got before its bound ran out: which part stalled, with the times it
/// was seen, for its failure and its transcript.
struct TLSConnectProgress {
    /// When the TCP connection was up; nil if it never was.
    var tcpConnected: ContinuousClock.Instant?
    /// The watch of the TLS layer's reads; nil if the handshake never began.
    var watch: HandshakeWatch?

    /// Why the step timed out: `no TCP connection within 3s`, `TCP connected at +0.003s; the TLS
    /// handshake got no answer within 3s`, `TCP connected at +0.003s; the server sent 517 bytes of
    /// handshake (the last at +0.010s), then nothing within 3s`.
    func timeoutReason(bound: Duration, origin: ContinuousClock.Instant) -> String {
        guard let tcpConnected else { return "no TCP connection within \(bound.scriptText)" }
        let connected = "TCP connected at \(stamp(tcpConnected - origin))"
        let (count, last) = watch?.bytesIn ?? (0, nil)
        guard count > 0, let last else {
            return "\(connected); the TLS handshake got no answer within \(bound.scriptText)"
        }
        return "\(connected); the server sent \(Bytes.size(count)) of handshake (the last at \(stamp(last - origin)))"
            + ", then nothing within \(bound.scriptText)"
    }

    /// Transcript lines for a handshake that timed out, each stamped when it was seen: the TCP
    /// connection, the server's last handshake bytes, and the end of the bound.
    func record(in transcript: Transcript, label: String, what: String, localAddress: String, bound: Duration) {
        guard let tcpConnected else { return }
        transcript.add(label, "\(what): TCP connected from \(localAddress)", at: tcpConnected)
        let (count, last) = watch?.bytesIn ?? (0, nil)
        if count > 0, let last {
            transcript.add(label, "TLS handshake: \(Bytes.size(count)) from the server so far", at: last)
        }
        transcript.add(
            label,
            count > 0
                ? "TLS handshake: nothing more from the server within \(bound.scriptText)"
                : "TLS handshake: no answer from the server within \(bound.scriptText)")
    }

    private func stamp(_ d: Duration) -> String {
        Transcript.stamp(d).trimmingCharacters(in: .whitespaces)
    }
}

/// The TLS layer of a `tls-connect` client.
extension CheckExecution {
    /// The TLS handshake over a dialed TCP connection, under the step's deadline, counting what
    /// the server sent in `progress` so a stall can be explained. Returns the TLS conn and what
    /// the transcript says of it (`, TLSv1.3, alpn h2`).
    func handshakeTLS(
        over dialed: TCPConn, _ options: TLSClientOptions, address: String, deadline: ContinuousClock.Instant,
        progress: inout TLSConnectProgress, at location: SourceLocation
    ) async throws -> (conn: any Conn, detail: String) {
        let config = try tlsClientConfig(options, address: address, at: location)
        let watch = HandshakeWatch(dialed)
        progress.watch = watch
        let tls = TLSConn.client(wrapping: watch, config: config)
        try dialed.setDeadline(deadline)
        try await tls.handshake()
        try dialed.setDeadline(nil)
        return (tls, ", \(tls.negotiatedVersion ?? "TLS")" + (tls.negotiatedALPN.map { ", alpn \($0)" } ?? ""))
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
}
