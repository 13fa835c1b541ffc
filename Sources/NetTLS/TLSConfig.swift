#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// A TLS protocol version. netlab speaks TLS 1.2 and 1.3, as Go's defaults do.
public enum TLSVersion: UInt16, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case tls12 = 0x0303
    case tls13 = 0x0304

    public static func < (a: TLSVersion, b: TLSVersion) -> Bool { a.rawValue < b.rawValue }
    /// "TLS 1.2".
    public var description: String { self == .tls12 ? "TLS 1.2" : "TLS 1.3" }
    /// OpenSSL's name, as `TLSConn.negotiatedVersion` reports it: "TLSv1.2".
    public var openSSLName: String { self == .tls12 ? "TLSv1.2" : "TLSv1.3" }

    static func checkRange(_ min: TLSVersion, _ max: TLSVersion?) throws {
        if let max, max < min {
            throw TLSError(.configuration, "maximum version \(max) is below minimum version \(min)")
        }
    }

    static func rangeText(_ min: TLSVersion, _ max: TLSVersion?) -> String {
        let top = max ?? .tls13
        return min == top ? "only \(min)" : "\(min) to \(top)"
    }
}

/// Makes an `SSL_CTX` with netlab's defaults: the version range, no renegotiation, no
/// compression, no session cache and no tickets (each conn stands alone).
private func makeContext(server: Bool, min: TLSVersion, max: TLSVersion?) throws -> OpaquePointer {
    ERR_clear_error()
    guard let context = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()) else {
        throw TLSError(.configuration, "OpenSSL could not make a TLS context: \(OpenSSLErrors.summary(OpenSSLErrors.drain()))")
    }
    netlab_SSL_CTX_set_default_options(context)
    _ = netlab_SSL_CTX_set_min_proto_version(context, Int32(min.rawValue))
    _ = netlab_SSL_CTX_set_max_proto_version(context, Int32(max?.rawValue ?? TLSVersion.tls13.rawValue))
    _ = netlab_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))
    if server {
        // No TLS 1.3 session tickets either (OpenSSL sends two by default): each conn stands
        // alone, and making a ticket costs an encryption per handshake that nothing uses.
        _ = SSL_CTX_set_num_tickets(context, 0)
    }
    return context
}

// MARK: - Server

/// What a TLS server presents and accepts. Like Go's `tls.Config` on the server side.
/// The OpenSSL context is made once, here, and shared by every conn that uses this config.
public final class TLSServerConfig: @unchecked Sendable {
    /// The certificate used when `certificateForServerName` is nil or returns nil.
    public let certificate: TLSCertificate?
    /// Chooses the certificate from the name the client asked for (SNI; nil when it sent none).
    /// Like Go's `GetCertificate`. Returning nil falls back to `certificate`.
    public let certificateForServerName: (@Sendable (String?) -> TLSCertificate?)?
    /// ALPN protocols in order of preference ("h2", "http/1.1"). A client that offers ALPN
    /// but none of these fails the handshake with no_application_protocol, as in Go.
    public let alpnProtocols: [String]
    public let minVersion: TLSVersion
    public let maxVersion: TLSVersion?

    /// `SSL_CTX*`, owned.
    let context: OpaquePointer
    /// ALPN names in wire format, for the select callback.
    let alpnWire: [UInt8]

    /// - Parameters:
    ///   - certificate: the chain and key to present.
    ///   - certificateForServerName: picks a certificate per server name (Go's `GetCertificate`).
    ///     At least one of the two must be given.
    ///   - alpnProtocols: the ALPN protocols to accept, in order of preference (Go's `NextProtos`);
    ///     each 1 to 255 bytes. Empty: no ALPN.
    ///   - minVersion: TLS 1.2 by default, as in Go.
    ///   - maxVersion: nil for the newest version there is (TLS 1.3), as in Go.
    public init(
        certificate: TLSCertificate? = nil,
        certificateForServerName: (@Sendable (String?) -> TLSCertificate?)? = nil,
        alpnProtocols: [String] = [],
        minVersion: TLSVersion = .tls12,
        maxVersion: TLSVersion? = nil
    ) throws {
        guard certificate != nil || certificateForServerName != nil else {
            throw TLSError(.configuration, "a TLS server needs a certificate or certificateForServerName")
        }
        try TLSVersion.checkRange(minVersion, maxVersion)
        alpnWire = try alpnWireFormat(alpnProtocols)
        self.certificate = certificate
        self.certificateForServerName = certificateForServerName
        self.alpnProtocols = alpnProtocols
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        context = try makeContext(server: true, min: minVersion, max: maxVersion)

        if let certificate {
            ERR_clear_error()
            if SSL_CTX_use_cert_and_key(context, certificate.leaf, certificate.key, certificate.chainStack, 1) != 1 {
                let errors = OpenSSLErrors.drain()
                throw TLSError(
                    .invalidCertificate, "OpenSSL refused the certificate: \(OpenSSLErrors.summary(errors))",
                    openSSLReasons: errors.map(\.text))
            }
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        if certificateForServerName != nil { SSL_CTX_set_cert_cb(context, serverCertificateCallback, me) }
        if !alpnProtocols.isEmpty { SSL_CTX_set_alpn_select_cb(context, serverALPNCallback, me) }
    }

    /// Reads the certificate chain and key from PEM files, like Go's `tls.LoadX509KeyPair`.
    public convenience init(
        certificateFile: String, keyFile: String, alpnProtocols: [String] = [],
        minVersion: TLSVersion = .tls12, maxVersion: TLSVersion? = nil
    ) throws {
        try self.init(
            certificate: TLSCertificate(certificateFile: certificateFile, privateKeyFile: keyFile),
            alpnProtocols: alpnProtocols, minVersion: minVersion, maxVersion: maxVersion)
    }

    deinit { SSL_CTX_free(context) }
}

/// `SSL_CTX_set_cert_cb`: runs after the ClientHello is read, so the SNI is known; installs the
/// certificate `certificateForServerName` chose. Returns 0 (fail the handshake) when there is none.
private let serverCertificateCallback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = { ssl, arg in
    guard let ssl, let arg else { return 0 }
    let config = Unmanaged<TLSServerConfig>.fromOpaque(arg).takeUnretainedValue()
    let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
    let notes = ConnNotes.of(ssl)
    notes?.requestedServerName = name
    guard let chosen = config.certificateForServerName?(name) ?? config.certificate else {
        notes?.callbackFailure = TLSError(
            .noCertificate,
            "the server has no certificate for "
                + (name.map { "server name \"\($0)\"" } ?? "a client that sent no server name (SNI)"))
        return 0
    }
    if chosen === config.certificate { return 1 }  // already installed on the context
    notes?.retainedCertificate = chosen
    return SSL_use_cert_and_key(ssl, chosen.leaf, chosen.key, chosen.chainStack, 1) == 1 ? 1 : 0
}

/// `SSL_CTX_set_alpn_select_cb`: the first of the server's protocols that the client offers.
private let serverALPNCallback:
    @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
        UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
    ) -> Int32 = { ssl, out, outLength, offered, offeredLength, arg in
        guard let out, let outLength, let offered, let arg else { return SSL_TLSEXT_ERR_NOACK }
        let config = Unmanaged<TLSServerConfig>.fromOpaque(arg).takeUnretainedValue()
        let result = config.alpnWire.withUnsafeBufferPointer { server -> Int32 in
            let selected = UnsafeMutableRawPointer(out).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
            return SSL_select_next_proto(selected, outLength, server.baseAddress, UInt32(server.count), offered, offeredLength)
        }
        if result == OPENSSL_NPN_NEGOTIATED {
            // `out` points into `alpnWire`, which lives as long as the config; the conn keeps its
            // config alive, so the pointer stays valid after the callback returns.
            return SSL_TLSEXT_ERR_OK
        }
        if let ssl, let notes = ConnNotes.of(ssl) {
            var names: [String] = []
            var cursor = ByteCursor(UnsafeBufferPointer(start: offered, count: Int(offeredLength)))
            while let name = cursor.lengthPrefixedUInt8() { names.append(String(decoding: name, as: UTF8.self)) }
            notes.callbackFailure = TLSError(
                .noApplicationProtocol,
                "no application protocol in common (ALPN): the client offered \(names.joined(separator: ", ")); the server supports \(config.alpnProtocols.joined(separator: ", "))"
            )
        }
        return SSL_TLSEXT_ERR_ALERT_FATAL
    }

/// A tiny reader over C bytes (for callbacks, where NetCore's ByteString would copy).
struct ByteCursor {
    private var rest: UnsafeBufferPointer<UInt8>.SubSequence
    init(_ bytes: UnsafeBufferPointer<UInt8>) { rest = bytes[...] }
    mutating func lengthPrefixedUInt8() -> [UInt8]? {
        guard let length = rest.first, rest.count > Int(length) else { return nil }
        let body = Array(rest[(rest.startIndex + 1)..<(rest.startIndex + 1 + Int(length))])
        rest = rest.dropFirst(1 + Int(length))
        return body
    }
}

// MARK: - Client

/// What a TLS client trusts and asks for. Like Go's `tls.Config` on the client side.
/// The OpenSSL context (with its trust store) is made once, here.
public final class TLSClientConfig: @unchecked Sendable {
    /// The name sent as SNI and checked against the server's certificate. An IP address is
    /// checked as an IP (against IP SANs) and not sent as SNI, as Go does.
    public let serverName: String?
    public let alpnProtocols: [String]
    /// Accepts any certificate for any name. **For tests only**: it makes TLS worthless
    /// against an active attacker.
    public let insecureSkipVerify: Bool
    public let minVersion: TLSVersion
    public let maxVersion: TLSVersion?
    /// Whether the system's trusted CAs are trusted too.
    public let trustsSystemRoots: Bool

    /// `SSL_CTX*`, owned.
    let context: OpaquePointer

    /// - Parameters:
    ///   - serverName: SNI and the name to verify (Go's `ServerName`); `TLSConn.client` can
    ///     override it per conn.
    ///   - rootCAPEM: PEM bytes of CA certificates to trust (e.g. `DevCA.certificatePEM`).
    ///   - rootCAFile: a PEM file of CA certificates to trust.
    ///   - systemRoots: whether to trust the system store too; by default only when neither
    ///     `rootCAPEM` nor `rootCAFile` is given (Go: nil `RootCAs` means the system's).
    ///   - alpnProtocols: the ALPN protocols to offer, in order of preference (Go's `NextProtos`);
    ///     each 1 to 255 bytes. Empty: no ALPN.
    ///   - insecureSkipVerify: tests only; see the property.
    ///   - minVersion: TLS 1.2 by default, as in Go.
    ///   - maxVersion: nil for the newest version there is (TLS 1.3), as in Go.
    public init(
        serverName: String? = nil,
        rootCAPEM: [UInt8]? = nil,
        rootCAFile: String? = nil,
        systemRoots: Bool? = nil,
        alpnProtocols: [String] = [],
        insecureSkipVerify: Bool = false,
        minVersion: TLSVersion = .tls12,
        maxVersion: TLSVersion? = nil
    ) throws {
        try TLSVersion.checkRange(minVersion, maxVersion)
        let wire = try alpnWireFormat(alpnProtocols)
        var roots: [OpaquePointer] = []
        defer { roots.forEach { X509_free($0) } }
        if let rootCAPEM { roots += try PEM.certificates(rootCAPEM, source: "the CA PEM") }
        if let rootCAFile { roots += try PEM.certificates(FileIO.read(rootCAFile, what: "CA file"), source: rootCAFile) }

        self.serverName = serverName
        self.alpnProtocols = alpnProtocols
        self.insecureSkipVerify = insecureSkipVerify
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        trustsSystemRoots = systemRoots ?? (rootCAPEM == nil && rootCAFile == nil)
        context = try makeContext(server: false, min: minVersion, max: maxVersion)

        let store = SSL_CTX_get_cert_store(context)
        for root in roots { _ = X509_STORE_add_cert(store, root) }
        if trustsSystemRoots { _ = SSL_CTX_set_default_verify_paths(context) }
        ERR_clear_error()
        // Like Go, a certificate in the trusted set is an anchor even if it is not self-signed.
        _ = X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(context), UInt(X509_V_FLAG_PARTIAL_CHAIN))
        SSL_CTX_set_verify(context, insecureSkipVerify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nil)
        if !wire.isEmpty {
            _ = wire.withUnsafeBufferPointer { SSL_CTX_set_alpn_protos(context, $0.baseAddress, UInt32($0.count)) }
        }
    }

    deinit { SSL_CTX_free(context) }
}
