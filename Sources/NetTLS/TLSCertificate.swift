#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// A certificate chain and its private key, parsed and checked once: like Go's
/// `tls.Certificate` from `tls.X509KeyPair` / `tls.LoadX509KeyPair`.
///
/// The first certificate in the PEM is the leaf; any that follow are intermediates sent along
/// with it. Loading fails with a `TLSError` that says which: no PEM, a block that does not
/// decode, an encrypted key, or a key that does not match the certificate.
public final class TLSCertificate: @unchecked Sendable {
    /// `X509*`, owned.
    let leaf: OpaquePointer
    /// `X509*` intermediates, owned.
    let intermediates: [OpaquePointer]
    /// `EVP_PKEY*`, owned.
    let key: OpaquePointer
    /// `STACK_OF(X509)*` of the intermediates, for `SSL_use_cert_and_key`; owned.
    let chainStack: OpaquePointer

    /// Parses a PEM certificate chain and a PEM private key (PKCS#8, SEC1 or PKCS#1).
    public convenience init(certificatePEM: [UInt8], privateKeyPEM: [UInt8]) throws {
        let parts = try TLSCertificate.parse(
            certificatePEM: certificatePEM, certificateSource: "the certificate PEM",
            privateKeyPEM: privateKeyPEM, keySource: "the private key PEM")
        self.init(owning: parts.leaf, intermediates: parts.intermediates, key: parts.key)
    }

    /// Parses PEM text, like `init(certificatePEM:privateKeyPEM:)`.
    public convenience init(certificatePEM: String, privateKeyPEM: String) throws {
        try self.init(certificatePEM: Array(certificatePEM.utf8), privateKeyPEM: Array(privateKeyPEM.utf8))
    }

    /// Reads a PEM certificate chain file and a PEM key file, like Go's `tls.LoadX509KeyPair`.
    public convenience init(certificateFile: String, privateKeyFile: String) throws {
        let certificate = try FileIO.read(certificateFile, what: "certificate file")
        let key = try FileIO.read(privateKeyFile, what: "private key file")
        let parts = try TLSCertificate.parse(
            certificatePEM: certificate, certificateSource: certificateFile,
            privateKeyPEM: key, keySource: privateKeyFile)
        self.init(owning: parts.leaf, intermediates: parts.intermediates, key: parts.key)
    }

    static func parse(certificatePEM: [UInt8], certificateSource: String, privateKeyPEM: [UInt8], keySource: String) throws
        -> (leaf: OpaquePointer, intermediates: [OpaquePointer], key: OpaquePointer)
    {
        let certificates = try PEM.certificates(certificatePEM, source: certificateSource)
        let key: OpaquePointer
        do {
            key = try PEM.privateKey(privateKeyPEM, source: keySource)
        } catch {
            certificates.forEach { X509_free($0) }
            throw error
        }
        ERR_clear_error()
        if X509_check_private_key(certificates[0], key) != 1 {
            _ = OpenSSLErrors.drain()
            let names = TLSCertificate.names(of: certificates[0])
            certificates.forEach { X509_free($0) }
            EVP_PKEY_free(key)
            throw TLSError(
                .keyMismatch,
                "private key does not match the certificate (the key in \(keySource) was not made for the certificate in \(certificateSource)"
                    + (names.isEmpty ? ")" : ", which is for \(names.joined(separator: ", ")))"))
        }
        return (certificates[0], Array(certificates.dropFirst()), key)
    }

    /// Takes ownership of a leaf, its intermediates and its key (already checked).
    init(owning leaf: OpaquePointer, intermediates: [OpaquePointer], key: OpaquePointer) {
        self.leaf = leaf
        self.intermediates = intermediates
        self.key = key
        let stack = netlab_sk_X509_new_null()!
        for certificate in intermediates {
            X509_up_ref(certificate)
            _ = netlab_sk_X509_push(stack, certificate)
        }
        chainStack = stack
    }

    deinit {
        netlab_sk_X509_pop_free(chainStack)
        X509_free(leaf)
        intermediates.forEach { X509_free($0) }
        EVP_PKEY_free(key)
    }

    // MARK: What is in it

    /// The chain in DER, leaf first.
    public var certificateChainDER: [[UInt8]] { ([leaf] + intermediates).map(TLSCertificate.der) }

    /// The chain in PEM, leaf first.
    public var certificatePEM: String {
        var text = ""
        for certificate in [leaf] + intermediates {
            if let bytes = MemoryBIO.collect({ PEM_write_bio_X509($0, certificate) }) {
                text += String(decoding: bytes, as: UTF8.self)
            }
        }
        return text
    }

    /// The private key in PEM (unencrypted PKCS#8, "BEGIN PRIVATE KEY"). Keep it secret.
    public var privateKeyPEM: String {
        let bytes = MemoryBIO.collect { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) } ?? []
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The DNS names among the leaf's subject alternative names.
    public var dnsNames: [String] { TLSCertificate.alternativeNames(of: leaf).dns }
    /// The IP addresses among the leaf's subject alternative names, as text.
    public var ipAddresses: [String] { TLSCertificate.alternativeNames(of: leaf).ips }
    /// The leaf's subject, in OpenSSL's one-line form ("O=netlab development CA, CN=…").
    public var subject: String { TLSCertificate.nameText(X509_get_subject_name(leaf)) }
    /// The leaf's issuer.
    public var issuer: String { TLSCertificate.nameText(X509_get_issuer_name(leaf)) }
    /// Start of validity, seconds since 1970 (UTC).
    public var notBefore: Int64 { TLSCertificate.seconds(X509_get0_notBefore(leaf)) }
    /// End of validity, seconds since 1970 (UTC).
    public var notAfter: Int64 { TLSCertificate.seconds(X509_get0_notAfter(leaf)) }
    /// The serial number in hex.
    public var serialNumberHex: String {
        guard let bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(leaf), nil) else { return "" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "" }
        defer { netlab_OPENSSL_free(hex) }
        return String(cString: hex)
    }
    /// True when the leaf is a CA certificate (basicConstraints CA:TRUE).
    public var isCA: Bool { X509_check_ca(leaf) != 0 }

    /// Writes the chain (mode 0644) and the private key (mode 0600, set before the key is
    /// written) as PEM files, like mkcert's `localhost.pem` and `localhost-key.pem`.
    public func write(certificateTo certificatePath: String, keyTo keyPath: String) throws {
        try FileIO.write(Array(certificatePEM.utf8), to: certificatePath, mode: 0o644, what: "certificate file")
        try FileIO.write(Array(privateKeyPEM.utf8), to: keyPath, mode: 0o600, what: "private key file")
    }

    // MARK: Helpers on X509*

    static func der(_ certificate: OpaquePointer) -> [UInt8] {
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        bytes.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = i2d_X509(certificate, &cursor)
        }
        return bytes
    }

    static func alternativeNames(of certificate: OpaquePointer) -> (dns: [String], ips: [String]) {
        guard let names = netlab_X509_get_subject_alt_names(certificate) else { return ([], []) }
        defer { netlab_GENERAL_NAMES_free(names) }
        var dns: [String] = []
        var ips: [String] = []
        for index in 0..<netlab_GENERAL_NAMES_count(names) {
            var data: UnsafePointer<UInt8>?
            var length: Int32 = 0
            let type = netlab_GENERAL_NAMES_get(names, index, &data, &length)
            guard let data, length > 0 else { continue }
            let bytes = Array(UnsafeBufferPointer(start: data, count: Int(length)))
            if type == GEN_DNS { dns.append(String(decoding: bytes, as: UTF8.self)) }
            if type == GEN_IPADD { ips.append(IPAddress.format(bytes)) }
        }
        return (dns, ips)
    }

    /// SAN names (DNS then IP), or the subject's common name when there are none.
    static func names(of certificate: OpaquePointer) -> [String] {
        let (dns, ips) = alternativeNames(of: certificate)
        if !dns.isEmpty || !ips.isEmpty { return dns + ips }
        let subject = nameText(X509_get_subject_name(certificate))
        if let range = subject.range(of: "CN=") {
            return [String(subject[range.upperBound...].prefix { $0 != "," })]
        }
        return []
    }

    static func nameText(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        let flags = NETLAB_XN_FLAG_ONELINE
        let bytes = MemoryBIO.collect { bio in X509_NAME_print_ex(bio, name, 0, flags) >= 0 ? 1 : 0 } ?? []
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(" = ", with: "=")
    }

    static func seconds(_ time: UnsafePointer<ASN1_TIME>?) -> Int64 {
        guard let time else { return 0 }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return 0 }
        return Int64(timegm(&parts))
    }

    /// "2027-02-21 16:38:00 UTC".
    static func dateText(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) UTC"
    }
}

extension String {
    /// Foundation-free `replacingOccurrences(of:with:)`.
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension StringProtocol {
    /// Foundation-free substring search.
    func range(of target: String) -> Range<Index>? {
        let needle = Array(target.utf8)
        guard !needle.isEmpty else { return nil }
        var start = startIndex
        while start < endIndex {
            if self[start...].utf8.starts(with: needle) {
                return start..<utf8.index(start, offsetBy: needle.count)
            }
            start = index(after: start)
        }
        return nil
    }
}

// MARK: - PEM

/// Reading PEM with messages that say what was wrong with it.
enum PEM {
    /// A password callback that never supplies one, so an encrypted key fails instead of
    /// OpenSSL prompting on the terminal.
    static let noPassword: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in 0 }

    /// The block labels in `bytes` ("CERTIFICATE", "PRIVATE KEY", …).
    static func labels(_ bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes.prefix(1 << 20), as: UTF8.self)
        var found: [String] = []
        var rest = text[...]
        while let range = rest.range(of: "-----BEGIN ") {
            let after = rest[range.upperBound...]
            let label = after.prefix { $0 != "-" && $0 != "\n" }
            found.append(String(label))
            rest = after
        }
        return found
    }

    static func certificates(_ bytes: [UInt8], source: String) throws -> [OpaquePointer] {
        let labels = labels(bytes)
        guard labels.contains("CERTIFICATE") || labels.contains("TRUSTED CERTIFICATE") || labels.contains("X509 CERTIFICATE") else {
            if labels.isEmpty {
                throw TLSError(.invalidPEM, "no PEM data in \(source) (expected a block starting with -----BEGIN CERTIFICATE-----)")
            }
            throw TLSError(.invalidPEM, "\(source) holds no certificate, only \(labels.map { "\"\($0)\"" }.joined(separator: ", ")) PEM blocks")
        }
        guard let bio = MemoryBIO.reading(bytes) else { throw TLSError(.invalidPEM, "out of memory reading \(source)") }
        defer { BIO_free(bio) }
        var certificates: [OpaquePointer] = []
        ERR_clear_error()
        while true {
            guard let certificate = PEM_read_bio_X509(bio, nil, noPassword, nil) else { break }
            certificates.append(certificate)
        }
        let errors = OpenSSLErrors.drain()
        // Reading stops with "no start line" at the end of the input; anything else is real.
        let real = errors.filter { !($0.library == ERR_LIB_PEM && $0.reason == PEM_R_NO_START_LINE) }
        if certificates.isEmpty || !real.isEmpty {
            certificates.forEach { X509_free($0) }
            throw TLSError(
                .invalidPEM, "a CERTIFICATE block in \(source) does not decode: \(OpenSSLErrors.summary(real))",
                openSSLReasons: errors.map(\.text))
        }
        return certificates
    }

    static func privateKey(_ bytes: [UInt8], source: String) throws -> OpaquePointer {
        let labels = labels(bytes)
        guard let label = labels.first(where: { $0.hasSuffix("PRIVATE KEY") }) else {
            if labels.isEmpty {
                throw TLSError(.invalidPEM, "no PEM data in \(source) (expected a block starting with -----BEGIN PRIVATE KEY-----)")
            }
            throw TLSError(.invalidPEM, "\(source) holds no private key, only \(labels.map { "\"\($0)\"" }.joined(separator: ", ")) PEM blocks")
        }
        if label == "ENCRYPTED PRIVATE KEY" || String(decoding: bytes, as: UTF8.self).range(of: "Proc-Type: 4,ENCRYPTED") != nil {
            throw TLSError(.invalidPEM, "the private key in \(source) is encrypted with a password; give an unencrypted key")
        }
        guard let bio = MemoryBIO.reading(bytes) else { throw TLSError(.invalidPEM, "out of memory reading \(source)") }
        defer { BIO_free(bio) }
        ERR_clear_error()
        guard let key = PEM_read_bio_PrivateKey(bio, nil, noPassword, nil) else {
            let errors = OpenSSLErrors.drain()
            throw TLSError(
                .invalidPEM, "the \(label) block in \(source) does not decode: \(OpenSSLErrors.summary(errors))",
                openSSLReasons: errors.map(\.text))
        }
        return key
    }
}
