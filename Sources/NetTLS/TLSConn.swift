#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import NetCore
import Synchronization

/// What was agreed in the handshake. Like Go's `tls.ConnectionState`.
public struct TLSConnectionState: Sendable, Equatable {
    /// "TLSv1.3" or "TLSv1.2".
    public var version: String
    /// The IANA name of the cipher suite: "TLS_AES_128_GCM_SHA256",
    /// "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" (Go's `tls.CipherSuiteName`).
    public var cipherSuite: String
    /// The ALPN protocol agreed on, if any ("h2", "http/1.1").
    public var negotiatedALPN: String?
    /// Server side: the SNI the client sent. Client side: the name it asked for.
    public var serverName: String?
    /// The peer's certificates in DER, leaf first (empty for a server without client certs).
    public var peerCertificates: [[UInt8]]
}

/// Per-conn notes that the OpenSSL callbacks leave while the engine lock is held.
final class ConnNotes: @unchecked Sendable {
    var callbackFailure: TLSError?
    var requestedServerName: String?
    /// A certificate chosen per SNI stays alive as long as the conn.
    var retainedCertificate: TLSCertificate?

    static func of(_ ssl: OpaquePointer) -> ConnNotes? {
        netlab_SSL_get_app_data(ssl).map { Unmanaged<ConnNotes>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// TLS over any `Conn`, like Go's `crypto/tls.Conn`: `TLSConn.server(wrapping: conn, config:)`
/// is `tls.Server(conn, config)`, and `TLSConn.client(wrapping:config:)` is `tls.Client`.
///
/// - The handshake runs on the first `read` or `write`, or explicitly with `handshake()`. Its
///   error is kept: later calls throw it again.
/// - One task may read while another writes. OpenSSL runs over memory BIOs, under a lock held
///   only for the `SSL_*` call itself (never across an await); the socket I/O happens outside
///   it under separate read and write locks, and every byte OpenSSL produces goes through one
///   ordered outbox, so records reach the wire in the order they were made. No extra task.
/// - Deadlines are the wrapped conn's: setting one here sets it there, and the handshake obeys
///   them too (a client that never speaks times out).
/// - `read` returns 0 after the peer's close_notify, and throws `NetError(.unexpectedEOF)`
///   when the TCP stream just ends (a truncation attack, or a crashed peer).
/// - After a write fails (a write timeout, say), every later write throws the same error:
///   the record stream is broken (Go's `permanentError`). Reads still work.
/// - `closeWrite` sends close_notify; `close` sends close_notify (capped at 5 s, skipped while
///   a write is in flight) and then closes the wrapped conn.
public final class TLSConn: HalfClosable, @unchecked Sendable {
    /// The conn TLS runs over.
    public let wrapped: any Conn
    /// True for the client end.
    public let isClient: Bool
    // Kept alive for the callbacks, which point at them.
    private let serverConfig: TLSServerConfig?
    private let clientConfig: TLSClientConfig?
    private let requestedName: String?
    private let notes = ConnNotes()

    // MARK: Engine state: only under `engine`.
    private let engine = EngineLock()
    private let ssl: OpaquePointer
    private let rbio: OpaquePointer
    private let wbio: OpaquePointer
    /// Bytes OpenSSL produced that are not on the wire yet, in order.
    private var outbox = ByteBuffer(capacity: 4096)
    private var closed = false
    private var closeNotifyQueued = false
    private var writesInFlight = 0
    private var writeFailure: (any Error)?
    private var readShut = false
    private var handshakeFailure: (any Error)?
    private var state: TLSConnectionState?
    private let handshakeDone = Atomic<Bool>(false)

    // MARK: Socket side.
    private let handshakeLock = AsyncLock()
    private let readLock = AsyncLock()
    private let writeLock = AsyncLock()
    /// Ciphertext read from the wrapped conn; used under `readLock` (or by the handshake).
    private let inbound: UnsafeMutableRawBufferPointer
    private static let inboundSize = 32 * 1024
    /// Ciphertext being written; only under `writeLock`.
    private var sending = ByteBuffer(capacity: 4096)
    /// The wrapped conn reported end of stream; only under `readLock` (or by the handshake).
    private var wrappedEOF = false
    /// The first bytes the peer sent, to say what it spoke if it was not TLS.
    private var firstBytes: [UInt8] = []
    /// How many bytes the peer sent during the handshake.
    private var handshakeBytesIn = 0

    /// Plaintext per `SSL_write` call: four full records.
    private static let writeChunk = 4 * 16 * 1024

    // MARK: Making one

    /// The server end over `conn`. Like Go's `tls.Server(conn, config)`.
    public static func server(wrapping conn: some Conn, config: TLSServerConfig) -> TLSConn {
        TLSConn(wrapping: conn, server: config, client: nil, serverName: nil)
    }

    /// The client end over `conn`. Like Go's `tls.Client(conn, config)`. `serverName`
    /// overrides `config.serverName` for this conn (SNI and the name to verify).
    public static func client(wrapping conn: some Conn, config: TLSClientConfig, serverName: String? = nil) -> TLSConn {
        TLSConn(wrapping: conn, server: nil, client: config, serverName: serverName ?? config.serverName)
    }

    private init(wrapping conn: any Conn, server: TLSServerConfig?, client: TLSClientConfig?, serverName: String?) {
        wrapped = conn
        isClient = client != nil
        serverConfig = server
        clientConfig = client
        requestedName = serverName
        ssl = SSL_new(server?.context ?? client!.context)!
        rbio = BIO_new(BIO_s_mem())!
        wbio = BIO_new(BIO_s_mem())!
        SSL_set_bio(ssl, rbio, wbio)  // the SSL owns both BIOs now
        _ = netlab_SSL_set_app_data(ssl, Unmanaged.passUnretained(notes).toOpaque())
        inbound = .allocate(byteCount: TLSConn.inboundSize, alignment: 16)
        if isClient {
            SSL_set_connect_state(ssl)
            if let serverName, !serverName.isEmpty {
                let name = serverName.hasSuffix(".") ? String(serverName.dropLast()) : serverName
                if IPAddress.parse(name) != nil {
                    // An IP: verified against IP SANs, and no SNI (RFC 6066 forbids it; Go agrees).
                    if client?.insecureSkipVerify == false {
                        let bare = name.hasPrefix("[") ? String(name.dropFirst().dropLast()) : name
                        _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), bare)
                    }
                } else {
                    _ = netlab_SSL_set_tlsext_host_name(ssl, name)
                    if client?.insecureSkipVerify == false {
                        SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                        _ = SSL_set1_host(ssl, name)
                    }
                }
            }
        } else {
            SSL_set_accept_state(ssl)
        }
        ERR_clear_error()
    }

    deinit {
        SSL_free(ssl)
        inbound.deallocate()
    }

    // MARK: What the handshake agreed

    /// Everything below at once; nil before the handshake completes.
    public var connectionState: TLSConnectionState? { engine.withLock { state } }
    /// "TLSv1.3" or "TLSv1.2" once the handshake is done.
    public var negotiatedVersion: String? { connectionState?.version }
    /// The IANA cipher suite name once the handshake is done.
    public var cipherSuite: String? { connectionState?.cipherSuite }
    /// The ALPN protocol agreed on, if any.
    public var negotiatedALPN: String? { connectionState?.negotiatedALPN }
    /// Server side: the SNI the client sent (nil if none). Client side: the name asked for.
    public var serverName: String? {
        if isClient { return requestedName }
        return connectionState?.serverName
    }
    /// The peer's certificate chain in DER, leaf first.
    public var peerCertificates: [[UInt8]] { connectionState?.peerCertificates ?? [] }
    /// True once the handshake has completed.
    public var isHandshakeComplete: Bool { handshakeDone.load(ordering: .acquiring) }

    // MARK: Conn

    public var localAddress: SocketAddress { wrapped.localAddress }
    public var remoteAddress: SocketAddress { wrapped.remoteAddress }
    public func setDeadline(_ deadline: Deadline?) throws { try wrapped.setDeadline(deadline) }
    public func setReadDeadline(_ deadline: Deadline?) throws { try wrapped.setReadDeadline(deadline) }
    public func setWriteDeadline(_ deadline: Deadline?) throws { try wrapped.setWriteDeadline(deadline) }

    private var pairName: String { "\(localAddress)->\(remoteAddress)" }

    private func closedError(_ op: String) -> NetError {
        NetError(.closed, op: op, address: pairName)
    }

    /// One step of the engine: clear the error queue, make the call, read the outcome, and
    /// move whatever OpenSSL wrote into the outbox. Runs with the engine lock held.
    private struct Step {
        var result: Int32
        var code: Int32
        var errors: [OpenSSLErrorEntry]
        var hasOutput: Bool
    }

    private func step(feeding input: UnsafeRawBufferPointer? = nil, eof: Bool = false, _ call: (OpaquePointer) -> Int32) -> Step {
        engine.withLock {
            if let input, input.count > 0 { _ = BIO_write(rbio, input.baseAddress, Int32(input.count)) }
            if eof { _ = netlab_BIO_set_mem_eof_return(rbio, 0) }
            ERR_clear_error()
            let result = call(ssl)
            let code = result > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, result)
            let errors = (code == SSL_ERROR_SSL || code == SSL_ERROR_SYSCALL) ? OpenSSLErrors.drain() : []
            outbox.append(draining: wbio)
            return Step(result: result, code: code, errors: errors, hasOutput: !outbox.isEmpty)
        }
    }

    // MARK: Handshake

    /// Runs the handshake now, if it has not run yet. Like Go's `Handshake`. Bounded by the
    /// wrapped conn's deadlines. A failure is kept and thrown again by every later call.
    public func handshake() async throws {
        if handshakeDone.load(ordering: .acquiring) { return }
        try await handshakeLock.lock()
        defer { handshakeLock.unlock() }
        if handshakeDone.load(ordering: .acquiring) { return }
        if let failure = engine.withLock({ closed ? closedError("handshake") : handshakeFailure }) { throw failure }
        do {
            try await runHandshake()
        } catch {
            engine.withLock { handshakeFailure = error }
            throw error
        }
    }

    private func runHandshake() async throws {
        if isClient, requestedName == nil || requestedName == "", clientConfig?.insecureSkipVerify == false {
            throw TLSError(.configuration,
                "the TLS client has no server name: set serverName (the name the certificate must be for), or insecureSkipVerify for tests")
        }
        var input = 0
        var eof = false
        while true {
            let outcome = step(feeding: UnsafeRawBufferPointer(rebasing: inbound[..<input]), eof: eof) { SSL_do_handshake($0) }
            input = 0
            if outcome.result == 1 {
                if outcome.hasOutput { try await flushOutbox() }
                recordState()
                handshakeDone.store(true, ordering: .releasing)
                return
            }
            switch outcome.code {
            case SSL_ERROR_WANT_READ:
                if outcome.hasOutput { try await flushOutbox() }
                let n: Int
                do {
                    n = try await wrapped.read(into: inbound)
                } catch var error as NetError {
                    error.detail = error.detail ?? "TLS handshake"
                    throw error
                }
                if n == 0 {
                    if wrappedEOF { throw handshakeError(outcome.errors, eof: true) }
                    wrappedEOF = true
                    eof = true
                } else {
                    input = n
                    handshakeBytesIn += n
                    if firstBytes.count < 16 { firstBytes += UnsafeRawBufferPointer(rebasing: inbound[..<min(n, 16 - firstBytes.count)]) }
                }
            default:
                // Send the alert OpenSSL wrote, if the socket takes it, then report.
                if outcome.hasOutput { try? await flushOutbox() }
                throw handshakeError(outcome.errors, eof: wrappedEOF)
            }
        }
    }

    private func recordState() {
        engine.withLock {
            let version = SSL_get_version(ssl).map { String(cString: $0) } ?? "unknown"
            var suite = "unknown"
            if let cipher = SSL_get_current_cipher(ssl) {
                suite = (SSL_CIPHER_standard_name(cipher) ?? SSL_CIPHER_get_name(cipher)).map { String(cString: $0) } ?? suite
            }
            var alpnData: UnsafePointer<UInt8>?
            var alpnLength: UInt32 = 0
            SSL_get0_alpn_selected(ssl, &alpnData, &alpnLength)
            let alpn = alpnData.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(alpnLength)), as: UTF8.self) }
            let name: String? = isClient
                ? requestedName
                : (SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) } ?? notes.requestedServerName)
            state = TLSConnectionState(version: version, cipherSuite: suite, negotiatedALPN: alpn,
                                       serverName: name, peerCertificates: peerChainDER())
        }
    }

    /// The peer's chain in DER, leaf first. Engine lock held.
    private func peerChainDER() -> [[UInt8]] {
        var chain: [[UInt8]] = []
        let leaf = SSL_get0_peer_certificate(ssl)
        if let leaf { chain.append(TLSCertificate.der(leaf)) }
        if let stack = SSL_get_peer_cert_chain(ssl) {
            for index in 0..<netlab_sk_X509_num(stack) {
                guard let certificate = netlab_sk_X509_value(stack, index) else { continue }
                if let leaf, X509_cmp(leaf, certificate) == 0 { continue }
                chain.append(TLSCertificate.der(certificate))
            }
        }
        return chain
    }

    // MARK: Reading

    public func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        if buffer.count == 0 {
            if engine.withLock({ closed }) { throw closedError("read") }
            return 0
        }
        try await handshake()
        try await readLock.lock()
        defer { readLock.unlock() }
        var input = 0
        var eof = false
        while true {
            if let stop: Int = try engine.withLock({ () throws -> Int? in
                if closed { throw closedError("read") }
                return readShut ? 0 : nil
            }) { return stop }
            let outcome = step(feeding: UnsafeRawBufferPointer(rebasing: inbound[..<input]), eof: eof) {
                SSL_read($0, buffer.baseAddress, Int32(clamping: buffer.count))
            }
            input = 0
            eof = false
            // Reads can produce bytes too (TLS 1.3 key updates, alerts): send them in order.
            // A broken write side must not fail the read, so errors stay with the writer.
            if outcome.hasOutput { try? await flushOutbox() }
            if outcome.result > 0 { return Int(outcome.result) }
            switch outcome.code {
            case SSL_ERROR_ZERO_RETURN:
                return 0  // the peer's close_notify: a clean end of stream
            case SSL_ERROR_WANT_READ:
                if wrappedEOF {
                    // OpenSSL was told about the EOF and still wants more: the stream was cut.
                    throw NetError(.unexpectedEOF, op: "read", address: pairName, detail: "TLS stream ended without close_notify")
                }
                let n = try await wrapped.read(into: inbound)
                if n == 0 {
                    if engine.withLock({ readShut }) { return 0 }
                    wrappedEOF = true
                    eof = true
                } else {
                    input = n
                }
            default:
                if isUnexpectedEOF(outcome.errors) || (outcome.code == SSL_ERROR_SYSCALL && wrappedEOF) {
                    throw NetError(.unexpectedEOF, op: "read", address: pairName, detail: "TLS stream ended without close_notify")
                }
                throw protocolError(outcome.errors, phase: "read")
            }
        }
    }

    // MARK: Writing

    public func write(_ bytes: UnsafeRawBufferPointer) async throws {
        engine.withLock { writesInFlight += 1 }
        defer { engine.withLock { writesInFlight -= 1 } }
        if engine.withLock({ closed }) { throw closedError("write") }
        try await handshake()
        try await writeLock.lock()
        defer { writeLock.unlock() }
        if bytes.isEmpty {
            if let failure = engine.withLock({ closed ? closedError("write") : writeFailure }) { throw failure }
            return
        }
        var done = 0
        while done < bytes.count {
            let chunk = min(TLSConn.writeChunk, bytes.count - done)
            let outcome: Step = try engine.withLock {
                if closed { throw closedError("write") }
                if let writeFailure { throw writeFailure }
                if closeNotifyQueued {
                    throw TLSError(.shutdown, "write after closeWrite: close_notify was sent, so this side of the TLS stream is finished")
                }
                ERR_clear_error()
                let result = SSL_write(ssl, bytes.baseAddress! + done, Int32(chunk))
                let code = result > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, result)
                let errors = code == SSL_ERROR_NONE ? [] : OpenSSLErrors.drain()
                outbox.append(draining: wbio)
                return Step(result: result, code: code, errors: errors, hasOutput: !outbox.isEmpty)
            }
            if outcome.result <= 0 {
                // With memory BIOs SSL_write never waits for the socket, so this is a real failure.
                if outcome.hasOutput { try? await flushLocked() }
                throw protocolError(outcome.errors, phase: "write")
            }
            do {
                try await flushLocked()
            } catch var error as NetError {
                error.bytesTransferred = done
                throw error
            }
            done += Int(outcome.result)
        }
    }

    /// Sends everything in the outbox; takes the write lock.
    private func flushOutbox() async throws {
        try await writeLock.lock()
        defer { writeLock.unlock() }
        try await flushLocked()
    }

    /// Sends everything in the outbox, oldest first, until it is empty. Caller holds `writeLock`.
    /// A failure is permanent: the record stream has a hole now.
    private func flushLocked() async throws {
        while true {
            let failure: (any Error)? = engine.withLock {
                if writeFailure == nil, !outbox.isEmpty { swap(&outbox, &sending) }
                return writeFailure
            }
            if let failure { throw failure }
            if sending.isEmpty { return }
            do {
                try await wrapped.write(sending.bytes)
                sending.removeAll()
            } catch {
                sending.removeAll()
                engine.withLock { if writeFailure == nil { writeFailure = error } }
                throw error
            }
        }
    }

    // MARK: Closing

    private enum CloseAction { case alreadyClosed, closeNow, flushThenClose }

    /// Marks the conn closed and queues close_notify when Go would send one. Engine lock taken.
    private func beginClose() -> CloseAction {
        engine.withLock {
            if closed { return .alreadyClosed }
            closed = true
            guard handshakeDone.load(ordering: .acquiring), writesInFlight == 0, writeFailure == nil else { return .closeNow }
            queueCloseNotify()
            return .flushThenClose
        }
    }

    /// Engine lock held.
    private func queueCloseNotify() {
        guard !closeNotifyQueued else { return }
        closeNotifyQueued = true
        ERR_clear_error()
        _ = SSL_shutdown(ssl)  // writes close_notify; returns 0 until the peer's arrives
        ERR_clear_error()
        outbox.append(draining: wbio)
    }

    /// Closes the conn, the way Go's `Close` does: after a completed handshake, and unless a
    /// write is in flight (then close is breaking that write), close_notify is sent with a 5 s
    /// write deadline, then the wrapped conn is closed. Pending reads and writes end with
    /// `.closed`; a second close throws `.closed`.
    ///
    /// `Conn.close()` cannot wait, so when close_notify has to go out, a short task sends it
    /// and then closes the wrapped conn; `closeGracefully()` does the same and waits for it.
    public func close() throws {
        switch beginClose() {
        case .alreadyClosed: throw closedError("close")
        case .closeNow: try wrapped.close()
        case .flushThenClose:
            Task { [self] in await finishClose(timeout: .seconds(5)) }
        }
    }

    /// `close()`, waiting until close_notify is sent (at most `timeout`) and the wrapped conn
    /// is closed. Errors sending close_notify are ignored: the conn is closed either way.
    public func closeGracefully(timeout: Duration = .seconds(5)) async throws {
        switch beginClose() {
        case .alreadyClosed: throw closedError("close")
        case .closeNow: try wrapped.close()
        case .flushThenClose: await finishClose(timeout: timeout)
        }
    }

    private func finishClose(timeout: Duration) async {
        try? wrapped.setWriteDeadline(.after(timeout))
        try? await flushOutbox()
        try? wrapped.close()
    }

    /// Sends close_notify: the peer reads a clean end of stream and can still reply. Later
    /// writes throw. Like Go's `CloseWrite` (the TCP stream itself stays open both ways).
    ///
    /// `Conn.closeWrite()` cannot wait, so a short task sends the alert; `sendCloseNotify()`
    /// does the same and waits for it.
    public func closeWrite() throws {
        try queueCloseWrite()
        Task { [self] in try? await flushOutbox() }
    }

    /// `closeWrite()`, waiting until close_notify is on the wire.
    public func sendCloseNotify() async throws {
        try queueCloseWrite()
        try await flushOutbox()
    }

    private func queueCloseWrite() throws {
        try engine.withLock {
            if closed { throw closedError("close") }
            guard handshakeDone.load(ordering: .acquiring) else {
                throw TLSError(.shutdown, "closeWrite called before the handshake completed")
            }
            if let writeFailure { throw writeFailure }
            queueCloseNotify()
        }
    }

    /// Later reads return 0. Shuts down the wrapped conn's reading side when it can, which
    /// wakes a pending read. TLS has no message for this; the peer is not told.
    public func closeRead() throws {
        try engine.withLock {
            if closed { throw closedError("close") }
            readShut = true
        }
        if let halfClosable = wrapped as? any HalfClosable { try halfClosable.closeRead() }
    }

    // MARK: Errors in plain words

    private func isUnexpectedEOF(_ errors: [OpenSSLErrorEntry]) -> Bool {
        errors.contains { $0.library == ERR_LIB_SSL && $0.reason == SSL_R_UNEXPECTED_EOF_WHILE_READING }
    }

    private func handshakeError(_ errors: [OpenSSLErrorEntry], eof: Bool) -> any Error {
        if let notTLS = notTLSError() { return notTLS }
        if eof && (errors.isEmpty || isUnexpectedEOF(errors)) {
            let peer = isClient ? "server" : "client"
            let said = handshakeBytesIn == 0 ? "before sending anything" : "after sending \(handshakeBytesIn) bytes of handshake"
            return TLSError(.handshakeCutShort, "handshake cut short by the peer: the \(peer) closed the connection \(said)",
                            openSSLReasons: errors.map(\.text))
        }
        return protocolError(errors, phase: "handshake")
    }

    /// When the peer's first bytes are not a TLS record, says what they look like.
    private func notTLSError() -> TLSError? {
        guard let first = firstBytes.first else { return nil }
        let looksTLS = (20...24).contains(first) && (firstBytes.count < 2 || firstBytes[1] == 3)
        if looksTLS { return nil }
        let shown = firstBytes.prefix(9)
        let printable = shown.allSatisfy { (32...126).contains($0) || $0 == 13 || $0 == 10 }
        let text = String(decoding: shown, as: UTF8.self)
        var looks: String
        let head = String(decoding: firstBytes.prefix(8), as: UTF8.self)
        if ["GET ", "POST", "PUT ", "HEAD", "DELE", "OPTI", "PATC", "CONN"].contains(where: head.hasPrefix) {
            looks = "an HTTP request"
        } else if head.hasPrefix("HTTP/") {
            looks = "an HTTP response"
        } else if head.hasPrefix("SSH-") {
            looks = "an SSH banner"
        } else if printable {
            looks = "plain text"
        } else {
            looks = "binary data"
        }
        let sample = printable
            ? "\"" + text.replacingOccurrences("\r", with: "\\r").replacingOccurrences("\n", with: "\\n") + "\""
            : shown.map(hexByte).joined(separator: " ")
        looks += ": " + sample
        return TLSError(.notTLS, "the peer did not speak TLS (first bytes look like \(looks))")
    }

    private func protocolError(_ errors: [OpenSSLErrorEntry], phase: String) -> any Error {
        let reasons = errors.map(\.text)
        let ssl = errors.filter { $0.library == ERR_LIB_SSL }.map(\.reason)
        let peer = isClient ? "server" : "client"
        if let failure = engine.withLock({ notes.callbackFailure }) {
            var failure = failure
            failure.openSSLReasons = reasons
            return failure
        }
        if ssl.contains(SSL_R_CERTIFICATE_VERIFY_FAILED) {
            return verifyError(reasons: reasons)
        }
        if let reason = ssl.first(where: { $0 > SSL_AD_REASON_OFFSET && $0 < SSL_AD_REASON_OFFSET + 256 }) {
            let alert = reason - SSL_AD_REASON_OFFSET
            let name = errors.first { $0.reason == reason }?.text ?? "alert \(alert)"
            let why: String
            switch alert {
            case SSL_AD_UNKNOWN_CA: why = isClient ? "it does not trust the CA that signed our client certificate" : "it does not trust the CA that signed this server's certificate"
            case SSL_AD_BAD_CERTIFICATE, SSL_AD_CERTIFICATE_UNKNOWN: why = "it rejected our certificate"
            case SSL_AD_CERTIFICATE_EXPIRED: why = "it says our certificate has expired"
            case SSL_AD_PROTOCOL_VERSION: why = "no TLS version both sides accept; we accept \(versionRange)"
            case SSL_AD_HANDSHAKE_FAILURE: why = "it found nothing acceptable in our handshake (versions, cipher suites, certificate)"
            case SSL_AD_NO_APPLICATION_PROTOCOL: why = "no ALPN protocol in common"
            case SSL_AD_UNRECOGNIZED_NAME: why = "it has no certificate for the server name we asked for"
            default: why = "TLS \(phase) aborted"
            }
            let kind: TLSError.Kind = alert == SSL_AD_PROTOCOL_VERSION ? .protocolVersion
                : alert == SSL_AD_NO_APPLICATION_PROTOCOL ? .noApplicationProtocol : .peerAlert
            return TLSError(kind, "the \(peer) sent alert \"\(name.replacingOccurrences("sslv3 alert ", with: "").replacingOccurrences("tlsv1 alert ", with: ""))\" (\(why))",
                            openSSLReasons: reasons)
        }
        if ssl.contains(where: { [SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_NO_PROTOCOLS_AVAILABLE, SSL_R_VERSION_TOO_LOW, SSL_R_VERSION_TOO_HIGH, SSL_R_WRONG_SSL_VERSION].contains($0) }) {
            return TLSError(.protocolVersion, "no TLS version both sides accept (we accept \(versionRange))", openSSLReasons: reasons)
        }
        if ssl.contains(SSL_R_NO_SHARED_CIPHER) {
            return TLSError(.noSharedCipher, "no cipher suite both sides accept", openSSLReasons: reasons)
        }
        if ssl.contains(SSL_R_NO_APPLICATION_PROTOCOL) {
            return TLSError(.noApplicationProtocol, "no application protocol in common (ALPN)", openSSLReasons: reasons)
        }
        return TLSError(.protocolError, "TLS \(phase) failed: \(OpenSSLErrors.summary(errors))", openSSLReasons: reasons)
    }

    private var versionRange: String {
        let config = (serverConfig?.minVersion, serverConfig?.maxVersion)
        if let min = config.0 { return TLSVersion.rangeText(min, config.1) }
        return TLSVersion.rangeText(clientConfig?.minVersion ?? .tls12, clientConfig?.maxVersion)
    }

    private func verifyError(reasons: [String]) -> TLSError {
        engine.withLock {
            let code = Int32(SSL_get_verify_result(ssl))
            let words = X509_verify_cert_error_string(Int(code)).map { String(cString: $0) } ?? "error \(code)"
            var leaf: OpaquePointer?
            if let stack = SSL_get_peer_cert_chain(ssl), netlab_sk_X509_num(stack) > 0 { leaf = netlab_sk_X509_value(stack, 0) }
            let names = leaf.map(TLSCertificate.names(of:)) ?? []
            if code == X509_V_ERR_HOSTNAME_MISMATCH || code == X509_V_ERR_IP_ADDRESS_MISMATCH {
                let forWhat = names.isEmpty ? "no names" : names.joined(separator: ", ")
                return TLSError(.hostnameMismatch, "hostname mismatch: certificate is for \(forWhat), not \(requestedName ?? "?")",
                                verifyCode: code, openSSLReasons: reasons)
            }
            let explanation: String
            switch code {
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
                explanation = "the server's certificate is not signed by a CA you trust"
            case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
                explanation = "the server's certificate is self-signed, and you do not trust it"
            case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
                explanation = "the chain ends in a CA you do not trust"
            case X509_V_ERR_CERT_HAS_EXPIRED:
                let until = leaf.map { TLSCertificate.dateText(TLSCertificate.seconds(X509_get0_notAfter($0))) } ?? "?"
                explanation = "the server's certificate expired on \(until)"
            case X509_V_ERR_CERT_NOT_YET_VALID:
                let from = leaf.map { TLSCertificate.dateText(TLSCertificate.seconds(X509_get0_notBefore($0))) } ?? "?"
                explanation = "the server's certificate is valid only from \(from); check the clocks"
            case X509_V_ERR_INVALID_PURPOSE:
                explanation = "the certificate is not for TLS servers (extended key usage)"
            default:
                explanation = names.isEmpty ? "" : "the certificate is for \(names.joined(separator: ", "))"
            }
            return TLSError(.certificateVerifyFailed,
                            "certificate verify failed: \(words)" + (explanation.isEmpty ? "" : " (\(explanation))"),
                            verifyCode: code, openSSLReasons: reasons)
        }
    }
}
