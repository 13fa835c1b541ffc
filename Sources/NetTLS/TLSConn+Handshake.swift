#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import NetCore

extension TLSConn {
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
            throw TLSError(
                .configuration,
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
            let name: String? =
                isClient
                ? requestedName
                : (SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) } ?? notes.requestedServerName)
            state = TLSConnectionState(
                version: version, cipherSuite: suite, negotiatedALPN: alpn,
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
}
