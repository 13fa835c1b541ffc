#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import NetCore

/// What a ClientHello offers, as OpenSSL itself reads it: the checker uses this to cross-check
/// what a learner's hand-written parser reports, and `capture` makes real ClientHellos to send.
public struct ClientHelloInfo: Sendable, Equatable {
    /// The host name from the server_name extension (SNI), or nil when there is none.
    public var serverName: String?
    /// The ALPN protocols offered, in order.
    public var alpnProtocols: [String]
    /// The versions offered: the supported_versions extension when present (TLS 1.3 clients),
    /// else the legacy version field. 0x0304 is TLS 1.3, 0x0303 TLS 1.2.
    public var supportedVersions: [UInt16]
    /// The record's ClientHello.legacy_version (0x0303 for any modern client).
    public var legacyVersion: UInt16
    /// The cipher suites offered, as their 16-bit codes.
    public var cipherSuites: [UInt16]
    /// The extension types present, in the order sent.
    public var extensionTypes: [UInt16]

    /// "TLS 1.3", "TLS 1.2", … for `supportedVersions`.
    public var supportedVersionNames: [String] {
        supportedVersions.map { version in
            switch version {
            case 0x0304: return "TLS 1.3"
            case 0x0303: return "TLS 1.2"
            case 0x0302: return "TLS 1.1"
            case 0x0301: return "TLS 1.0"
            case 0x0300: return "SSL 3.0"
            default: return version & 0x0f0f == 0x0a0a ? "GREASE" : "0x" + hexByte(UInt8(version >> 8)) + hexByte(UInt8(version & 0xff))
            }
        }
    }

    // MARK: Reading one

    /// Reads `bytes` (the first flight of a client: one or more TLS records holding a
    /// ClientHello) with OpenSSL's own parser. A throwaway server-side SSL is fed the bytes; its
    /// client-hello callback copies the fields and stops the handshake; the alert it writes is
    /// dropped. Throws `TLSError(.notClientHello)` saying why when the bytes are not a complete
    /// ClientHello: truncated, another record type, another handshake message, garbage.
    public static func inspect(_ bytes: [UInt8]) throws -> ClientHelloInfo {
        if bytes.count < 5 {
            throw TLSError(.notClientHello, "too short for a TLS record: \(bytes.count) bytes, a record header alone is 5")
        }
        if bytes[0] != 22 {
            throw TLSError(.notClientHello, "not a handshake record: content type \(bytes[0]), a ClientHello travels in type 22")
        }
        guard let context = inspectionContext.pointer else {
            throw TLSError(.protocolError, "OpenSSL could not make a TLS context")
        }
        guard let ssl = SSL_new(context) else { throw TLSError(.protocolError, "OpenSSL could not make an SSL") }
        defer { SSL_free(ssl) }
        let rbio = BIO_new(BIO_s_mem())!
        let wbio = BIO_new(BIO_s_mem())!
        SSL_set_bio(ssl, rbio, wbio)
        _ = bytes.withUnsafeBytes { BIO_write(rbio, $0.baseAddress, Int32($0.count)) }
        _ = netlab_BIO_set_mem_eof_return(rbio, 0)  // no more bytes will come: truncation is an error
        let box = InspectionBox()
        _ = netlab_SSL_set_app_data(ssl, Unmanaged.passUnretained(box).toOpaque())
        SSL_set_accept_state(ssl)
        ERR_clear_error()
        let result = withExtendedLifetime(box) { SSL_do_handshake(ssl) }
        let errors = OpenSSLErrors.drain()
        if let info = box.info { return info }
        if result == 1 { throw TLSError(.protocolError, "OpenSSL finished a handshake without calling the ClientHello callback") }
        let reasons = errors.map(\.text)
        if errors.contains(where: { $0.reason == SSL_R_UNEXPECTED_EOF_WHILE_READING }) || errors.isEmpty {
            throw TLSError(.notClientHello, "truncated: the bytes end before the ClientHello does", openSSLReasons: reasons)
        }
        if bytes.count >= 6, bytes[5] != 1 {
            throw TLSError(.notClientHello, "not a ClientHello: handshake message type \(bytes[5]), a ClientHello is type 1", openSSLReasons: reasons)
        }
        throw TLSError(.notClientHello, "OpenSSL rejected it: \(OpenSSLErrors.summary(errors))", openSSLReasons: reasons)
    }

    // MARK: Making one

    /// A real ClientHello from OpenSSL's client: the bytes of its first flight (one TLS record,
    /// `16 03 01 …`), made over memory BIOs without any network. `serverName` goes in SNI (an
    /// IP address or nil sends none), `alpn` in ALPN.
    public static func capture(
        serverName: String? = nil, alpn: [String] = [],
        minVersion: TLSVersion = .tls12, maxVersion: TLSVersion = .tls13
    ) throws -> [UInt8] {
        let config = try TLSClientConfig(
            serverName: serverName, systemRoots: false, alpnProtocols: alpn,
            insecureSkipVerify: true, minVersion: minVersion, maxVersion: maxVersion)
        guard let ssl = SSL_new(config.context) else { throw TLSError(.protocolError, "OpenSSL could not make an SSL") }
        defer { SSL_free(ssl) }
        let rbio = BIO_new(BIO_s_mem())!
        let wbio = BIO_new(BIO_s_mem())!
        SSL_set_bio(ssl, rbio, wbio)
        if let serverName, !serverName.isEmpty, IPAddress.parse(serverName) == nil {
            _ = netlab_SSL_set_tlsext_host_name(ssl, serverName)
        }
        SSL_set_connect_state(ssl)
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        let code = SSL_get_error(ssl, result)
        guard code == SSL_ERROR_WANT_READ else {
            let errors = OpenSSLErrors.drain()
            throw TLSError(
                .protocolError, "OpenSSL could not start a handshake: \(OpenSSLErrors.summary(errors))", openSSLReasons: errors.map(\.text))
        }
        let out = ByteBuffer(capacity: 1024)
        out.append(draining: wbio)
        return Array(out.bytes)
    }
}

/// Where the callback leaves its findings; reached through the SSL's app data.
private final class InspectionBox {
    var info: ClientHelloInfo?
}

/// The one server context used for inspection, made on first use and kept: it has no
/// certificate, since the handshake never gets that far.
private struct InspectionContext: @unchecked Sendable {
    let pointer: OpaquePointer?
}

private let inspectionContext: InspectionContext = {
    guard let context = SSL_CTX_new(TLS_server_method()) else { return InspectionContext(pointer: nil) }
    _ = netlab_SSL_CTX_set_min_proto_version(context, 0)  // read any version offered
    SSL_CTX_set_client_hello_cb(context, clientHelloCallback, nil)
    return InspectionContext(pointer: context)
}()

private let clientHelloCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = { ssl, alert, _ in
    guard let ssl, let raw = netlab_SSL_get_app_data(ssl) else { return SSL_CLIENT_HELLO_ERROR }
    let box = Unmanaged<InspectionBox>.fromOpaque(raw).takeUnretainedValue()

    func extensionBody(_ type: UInt32) -> [UInt8]? {
        var data: UnsafePointer<UInt8>?
        var length = 0
        guard SSL_client_hello_get0_ext(ssl, type, &data, &length) == 1 else { return nil }
        guard let data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: length))
    }

    var info = ClientHelloInfo(
        serverName: nil, alpnProtocols: [], supportedVersions: [],
        legacyVersion: UInt16(truncatingIfNeeded: SSL_client_hello_get0_legacy_version(ssl)),
        cipherSuites: [], extensionTypes: [])
    var ciphers: UnsafePointer<UInt8>?
    let cipherLength = SSL_client_hello_get0_ciphers(ssl, &ciphers)
    if let ciphers {
        var list = ByteString(Array(UnsafeBufferPointer(start: ciphers, count: cipherLength)))
        while let suite = list.readUInt16() { info.cipherSuites.append(suite) }
    }
    var present: UnsafeMutablePointer<Int32>?
    var presentCount = 0
    if SSL_client_hello_get1_extensions_present(ssl, &present, &presentCount) == 1, let present {
        info.extensionTypes = UnsafeBufferPointer(start: present, count: presentCount).map { UInt16(truncatingIfNeeded: $0) }
        netlab_OPENSSL_free(present)
    }

    // server_name (RFC 6066): a list of (type, name); type 0 is host_name.
    if let body = extensionBody(0) {
        var outer = ByteString(body)
        if var list = outer.readUInt16LengthPrefixed() {
            while let type = list.readUInt8(), var name = list.readUInt16LengthPrefixed() {
                if type == 0 {
                    info.serverName = String(decoding: name.readBytes(name.count) ?? [], as: UTF8.self)
                    break
                }
            }
        }
    }
    // ALPN (RFC 7301): a list of one-byte-length names.
    if let body = extensionBody(16) {
        var outer = ByteString(body)
        if var list = outer.readUInt16LengthPrefixed() {
            while var name = list.readUInt8LengthPrefixed() {
                info.alpnProtocols.append(String(decoding: name.readBytes(name.count) ?? [], as: UTF8.self))
            }
        }
    }
    // supported_versions (RFC 8446 §4.2.1), client form: a one-byte-length list of versions.
    if let body = extensionBody(43) {
        var outer = ByteString(body)
        if var list = outer.readUInt8LengthPrefixed() {
            while let version = list.readUInt16() { info.supportedVersions.append(version) }
        }
    } else {
        info.supportedVersions = [info.legacyVersion]
    }
    box.info = info
    alert?.pointee = SSL_AD_HANDSHAKE_FAILURE
    return SSL_CLIENT_HELLO_ERROR  // stop here: we only wanted to read it
}
