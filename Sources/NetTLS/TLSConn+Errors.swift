#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import NetCore

extension TLSConn {
    // MARK: Errors in plain words

    func isUnexpectedEOF(_ errors: [OpenSSLErrorEntry]) -> Bool {
        errors.contains { $0.library == ERR_LIB_SSL && $0.reason == SSL_R_UNEXPECTED_EOF_WHILE_READING }
    }

    func handshakeError(_ errors: [OpenSSLErrorEntry], eof: Bool) -> any Error {
        if let notTLS = notTLSError() { return notTLS }
        if eof && (errors.isEmpty || isUnexpectedEOF(errors)) {
            let peer = isClient ? "server" : "client"
            let said = handshakeBytesIn == 0 ? "before sending anything" : "after sending \(handshakeBytesIn) bytes of handshake"
            return TLSError(
                .handshakeCutShort, "handshake cut short by the peer: the \(peer) closed the connection \(said)",
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
        let sample =
            printable
            ? "\"" + text.replacingOccurrences("\r", with: "\\r").replacingOccurrences("\n", with: "\\n") + "\""
            : shown.map(hexByte).joined(separator: " ")
        looks += ": " + sample
        return TLSError(.notTLS, "the peer did not speak TLS (first bytes look like \(looks))")
    }

    func protocolError(_ errors: [OpenSSLErrorEntry], phase: String) -> any Error {
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
            case SSL_AD_UNKNOWN_CA:
                why =
                    isClient
                    ? "it does not trust the CA that signed our client certificate" : "it does not trust the CA that signed this server's certificate"
            case SSL_AD_BAD_CERTIFICATE, SSL_AD_CERTIFICATE_UNKNOWN: why = "it rejected our certificate"
            case SSL_AD_CERTIFICATE_EXPIRED: why = "it says our certificate has expired"
            case SSL_AD_PROTOCOL_VERSION: why = "no TLS version both sides accept; we accept \(versionRange)"
            case SSL_AD_HANDSHAKE_FAILURE: why = "it found nothing acceptable in our handshake (versions, cipher suites, certificate)"
            case SSL_AD_NO_APPLICATION_PROTOCOL: why = "no ALPN protocol in common"
            case SSL_AD_UNRECOGNIZED_NAME: why = "it has no certificate for the server name we asked for"
            default: why = "TLS \(phase) aborted"
            }
            let kind: TLSError.Kind =
                alert == SSL_AD_PROTOCOL_VERSION
                ? .protocolVersion
                : alert == SSL_AD_NO_APPLICATION_PROTOCOL ? .noApplicationProtocol : .peerAlert
            return TLSError(
                kind,
                "the \(peer) sent alert \"\(name.replacingOccurrences("sslv3 alert ", with: "").replacingOccurrences("tlsv1 alert ", with: ""))\" (\(why))",
                openSSLReasons: reasons)
        }
        if ssl.contains(where: {
            [SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_NO_PROTOCOLS_AVAILABLE, SSL_R_VERSION_TOO_LOW, SSL_R_VERSION_TOO_HIGH, SSL_R_WRONG_SSL_VERSION]
                .contains($0)
        }) {
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
                return TLSError(
                    .hostnameMismatch, "hostname mismatch: certificate is for \(forWhat), not \(requestedName ?? "?")",
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
            return TLSError(
                .certificateVerifyFailed,
                "certificate verify failed: \(words)" + (explanation.isEmpty ? "" : " (\(explanation))"),
                verifyCode: code, openSSLReasons: reasons)
        }
    }
}
