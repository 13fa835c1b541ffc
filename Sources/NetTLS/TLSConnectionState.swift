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
