/// A TLS failure that is not a socket error, said in plain words: which check failed and,
/// where it helps, what to do about it. Socket errors, timeouts and a bare TCP close after the
/// handshake stay `NetError`s, so `isTimeout` works the same over TLS as over TCP.
///
/// ```
/// certificate verify failed: unable to get local issuer certificate (the server's certificate is not signed by a CA you trust)
/// hostname mismatch: certificate is for localhost, 127.0.0.1, ::1, not example.test
/// the peer did not speak TLS (first bytes look like an HTTP request: "GET / HTT")
/// ```
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, Hashable {
        /// The peer's certificate chain did not verify: unknown CA, expired, self-signed, …
        /// `verifyCode` holds OpenSSL's `X509_V_ERR_*` code.
        case certificateVerifyFailed
        /// The certificate verified but is for other names than the one dialled.
        case hostnameMismatch
        /// The peer sent something that is not TLS (plain HTTP, an SSH banner, …).
        case notTLS
        /// The peer closed the connection in the middle of the handshake.
        case handshakeCutShort
        /// The peer aborted with a TLS alert (it rejected our certificate, our versions, …).
        case peerAlert
        /// No TLS version both sides accept.
        case protocolVersion
        /// No cipher suite both sides accept.
        case noSharedCipher
        /// ALPN: the client offered protocols and the server supports none of them.
        case noApplicationProtocol
        /// The server has no certificate for the name the client asked for.
        case noCertificate
        /// The private key was not made for the certificate.
        case keyMismatch
        /// PEM input that holds no certificate or key, or one that does not decode.
        case invalidPEM
        /// A certificate could not be made or read (DevCA), or has a shape we cannot use.
        case invalidCertificate
        /// A file could not be read or written.
        case file
        /// A config that cannot work (no certificate, no server name, bad versions, …).
        case configuration
        /// A write after `closeWrite`: close_notify was sent, the sending side is finished.
        case shutdown
        /// Bytes that are not a ClientHello (from `ClientHelloInfo.inspect`).
        case notClientHello
        /// Any other TLS protocol failure; the message holds OpenSSL's reasons.
        case protocolError
    }

    public var kind: Kind
    /// The explanation, in plain words.
    public var message: String
    /// OpenSSL's certificate verification result (`X509_V_ERR_*`), when verification failed.
    public var verifyCode: Int32?
    /// OpenSSL's own reasons, oldest first, for whoever wants the raw story.
    public var openSSLReasons: [String]

    public init(_ kind: Kind, _ message: String, verifyCode: Int32? = nil, openSSLReasons: [String] = []) {
        self.kind = kind
        self.message = message
        self.verifyCode = verifyCode
        self.openSSLReasons = openSSLReasons
    }

    public var description: String { message }
}
