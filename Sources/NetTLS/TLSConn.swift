#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import NetCore
import Synchronization

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
    // The state below is internal, not private, so the extensions in TLSConn+*.swift reach it.
    // Kept alive for the callbacks, which point at them.
    let serverConfig: TLSServerConfig?
    let clientConfig: TLSClientConfig?
    let requestedName: String?
    let notes = ConnNotes()

    // MARK: Engine state: only under `engine`.
    let engine = EngineLock()
    let ssl: OpaquePointer
    let rbio: OpaquePointer
    let wbio: OpaquePointer
    /// Bytes OpenSSL produced that are not on the wire yet, in order.
    var outbox = ByteBuffer(capacity: 4096)
    var closed = false
    var closeNotifyQueued = false
    var writesInFlight = 0
    var writeFailure: (any Error)?
    var readShut = false
    var handshakeFailure: (any Error)?
    var state: TLSConnectionState?
    let handshakeDone = Atomic<Bool>(false)

    // MARK: Socket side.
    let handshakeLock = AsyncLock()
    let readLock = AsyncLock()
    let writeLock = AsyncLock()
    /// Ciphertext read from the wrapped conn; used under `readLock` (or by the handshake).
    let inbound: UnsafeMutableRawBufferPointer
    private static let inboundSize = 32 * 1024
    /// Ciphertext being written; only under `writeLock`.
    var sending = ByteBuffer(capacity: 4096)
    /// The wrapped conn reported end of stream; only under `readLock` (or by the handshake).
    var wrappedEOF = false
    /// The first bytes the peer sent, to say what it spoke if it was not TLS.
    var firstBytes: [UInt8] = []
    /// How many bytes the peer sent during the handshake.
    var handshakeBytesIn = 0

    /// Plaintext per `SSL_write` call: four full records.
    static let writeChunk = 4 * 16 * 1024

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

    var pairName: String { "\(localAddress)->\(remoteAddress)" }

    func closedError(_ op: String) -> NetError {
        NetError(.closed, op: op, address: pairName)
    }
}
