#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// A local certificate authority for development, like mkcert: a CA that only this machine
/// trusts, and certificates it issues for `localhost`, `127.0.0.1`, `::1` or any other names.
///
/// The profile follows mkcert's `cert.go`:
/// - CA: ECDSA P-256, valid 10 years, basicConstraints `CA:TRUE, pathlen:0`, keyUsage
///   `keyCertSign, cRLSign` (critical), a subject key identifier.
/// - Leaf: ECDSA P-256, valid 2 years and 3 months, extendedKeyUsage `serverAuth`, the names
///   as subject alternative names (DNS or IP), a random 128-bit serial, an authority key
///   identifier pointing at the CA.
///
/// ```swift
/// let ca = try DevCA.create()
/// let localhost = try ca.issue(names: ["localhost", "127.0.0.1", "::1"])
/// try ca.write(certificateTo: "rootCA.pem", keyTo: "rootCA-key.pem")          // key: mode 0600
/// try localhost.write(certificateTo: "localhost.pem", keyTo: "localhost-key.pem")
/// ```
public final class DevCA: Sendable {
    /// The CA certificate and its private key.
    public let certificate: TLSCertificate

    /// The CA certificate in PEM: what a client trusts (`TLSClientConfig(rootCAPEM:)`, `curl --cacert`).
    public var certificatePEM: String { certificate.certificatePEM }

    private init(certificate: TLSCertificate) { self.certificate = certificate }

    /// Makes a new CA with a new key. `validFor` defaults to 10 years (calendar years).
    public static func create(
        commonName: String = "netlab development CA",
        organization: String = "netlab development CA",
        validFor: Duration? = nil
    ) throws -> DevCA {
        let key = try newKey()
        guard let x509 = X509_new() else { EVP_PKEY_free(key); throw failure("X509_new") }
        do {
            let now = Int64(time(nil))
            try fill(x509, key: key, notBefore: now, notAfter: validFor.map { now + $0.components.seconds } ?? addCalendar(now, years: 10, months: 0))
            try addName(x509, [("O", organization), ("CN", commonName)])
            guard X509_set_issuer_name(x509, X509_get_subject_name(x509)) == 1 else { throw failure("X509_set_issuer_name") }
            try addExtensions(
                x509, issuer: x509,
                [
                    (NID_basic_constraints, "critical,CA:TRUE,pathlen:0"),
                    (NID_key_usage, "critical,keyCertSign,cRLSign"),
                    (NID_subject_key_identifier, "hash"),
                ])
            guard X509_sign(x509, key, EVP_sha256()) > 0 else { throw failure("X509_sign") }
        } catch {
            X509_free(x509)
            EVP_PKEY_free(key)
            throw error
        }
        return DevCA(certificate: TLSCertificate(owning: x509, intermediates: [], key: key))
    }

    /// Loads a CA written by `write(certificateTo:keyTo:)` (or mkcert's rootCA.pem and
    /// rootCA-key.pem). Fails if the certificate is not a CA or the key does not match it.
    public static func load(certificatePEMFile: String, keyPEMFile: String) throws -> DevCA {
        let certificate = try TLSCertificate(certificateFile: certificatePEMFile, privateKeyFile: keyPEMFile)
        guard certificate.isCA else {
            throw TLSError(
                .invalidCertificate, "\(certificatePEMFile) is not a CA certificate (no basicConstraints CA:TRUE), so it cannot issue certificates")
        }
        return DevCA(certificate: certificate)
    }

    /// Writes the CA certificate (mode 0644) and its private key (mode 0600).
    public func write(certificateTo certificatePath: String, keyTo keyPath: String) throws {
        try certificate.write(certificateTo: certificatePath, keyTo: keyPath)
    }

    /// Issues a server certificate for `names`: DNS names (`localhost`, `*.example.test`) and IP
    /// addresses (`127.0.0.1`, `::1`). It is valid from `notBefore` (seconds since 1970; now by
    /// default) for `validFor` (2 years and 3 months by default, as mkcert). Tests make an
    /// expired certificate with a `notBefore` in the past and a short `validFor`.
    public func issue(names: [String], validFor: Duration? = nil, notBefore: Int64? = nil) throws -> TLSCertificate {
        guard !names.isEmpty else { throw TLSError(.invalidCertificate, "a certificate needs at least one name") }
        var san: [String] = []
        for name in names {
            if IPAddress.parse(name) != nil {
                let bare = name.hasPrefix("[") ? String(name.dropFirst().dropLast()) : name
                san.append("IP:" + bare)
            } else {
                let allowed = name.utf8.allSatisfy { c in
                    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 42 || c == 95
                }
                guard allowed, !name.isEmpty else {
                    throw TLSError(.invalidCertificate, "\"\(name)\" is neither a DNS name nor an IP address")
                }
                san.append("DNS:" + name)
            }
        }
        let key = try DevCA.newKey()
        guard let x509 = X509_new() else { EVP_PKEY_free(key); throw DevCA.failure("X509_new") }
        do {
            let start = notBefore ?? Int64(time(nil))
            let end = validFor.map { start + $0.components.seconds } ?? DevCA.addCalendar(start, years: 2, months: 3)
            try DevCA.fill(x509, key: key, notBefore: start, notAfter: end)
            try DevCA.addName(x509, [("O", "netlab development certificate")])
            guard X509_set_issuer_name(x509, X509_get_subject_name(certificate.leaf)) == 1 else { throw DevCA.failure("X509_set_issuer_name") }
            try DevCA.addExtensions(
                x509, issuer: certificate.leaf,
                [
                    (NID_basic_constraints, "critical,CA:FALSE"),
                    (NID_key_usage, "critical,digitalSignature,keyEncipherment"),
                    (NID_ext_key_usage, "serverAuth"),
                    (NID_subject_alt_name, san.joined(separator: ",")),
                    (NID_authority_key_identifier, "keyid:always"),
                ])
            guard X509_sign(x509, certificate.key, EVP_sha256()) > 0 else { throw DevCA.failure("X509_sign") }
        } catch {
            X509_free(x509)
            EVP_PKEY_free(key)
            throw error
        }
        // The chain holds just the leaf: clients trust the CA itself, as with mkcert.
        return TLSCertificate(owning: x509, intermediates: [], key: key)
    }

    // MARK: Steps

    /// A new ECDSA P-256 key (EVP_EC_gen is a variadic macro Swift cannot call).
    static func newKey() throws -> OpaquePointer {
        ERR_clear_error()
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nil) else { throw failure("EVP_PKEY_CTX_new_id") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
            netlab_EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context, NID_X9_62_prime256v1) == 1,
            EVP_PKEY_keygen(context, &key) == 1, let key
        else { throw failure("EC P-256 key generation") }
        return key
    }

    /// Version 3, a random 128-bit serial, the validity, the public key.
    static func fill(_ x509: OpaquePointer, key: OpaquePointer, notBefore: Int64, notAfter: Int64) throws {
        guard X509_set_version(x509, 2) == 1 else { throw failure("X509_set_version") }
        guard let serial = BN_new() else { throw failure("BN_new") }
        defer { BN_free(serial) }
        guard BN_rand(serial, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1,
            BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x509)) != nil
        else { throw failure("serial number") }
        guard ASN1_TIME_set(X509_getm_notBefore(x509), time_t(notBefore)) != nil,
            ASN1_TIME_set(X509_getm_notAfter(x509), time_t(notAfter)) != nil
        else { throw failure("validity") }
        guard X509_set_pubkey(x509, key) == 1 else { throw failure("X509_set_pubkey") }
    }

    static func addName(_ x509: OpaquePointer, _ entries: [(String, String)]) throws {
        let name = X509_get_subject_name(x509)
        for (field, value) in entries {
            guard X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, value, -1, -1, 0) == 1 else { throw failure("subject \(field)") }
        }
    }

    static func addExtensions(_ x509: OpaquePointer, issuer: OpaquePointer, _ extensions: [(Int32, String)]) throws {
        var context = X509V3_CTX()
        netlab_X509V3_set_ctx_nodb(&context)
        X509V3_set_ctx(&context, issuer, x509, nil, nil, 0)
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_nconf_nid(nil, &context, nid, value) else { throw failure("extension \(value)") }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(x509, ext, -1) == 1 else { throw failure("X509_add_ext \(value)") }
        }
    }

    /// `seconds` plus whole calendar years and months, like Go's `AddDate`.
    static func addCalendar(_ seconds: Int64, years: Int32, months: Int32) -> Int64 {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        parts.tm_year += years
        parts.tm_mon += months
        return Int64(timegm(&parts))
    }

    static func failure(_ step: String) -> TLSError {
        let errors = OpenSSLErrors.drain()
        return TLSError(
            .invalidCertificate, "making the certificate failed at \(step): \(OpenSSLErrors.summary(errors))",
            openSSLReasons: errors.map(\.text))
    }
}
