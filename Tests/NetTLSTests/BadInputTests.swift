import Foundation
import NetCore
import NetTLS
import Testing

/// Runs a handshake that should fail on both ends; closes everything; returns both errors and
/// how many of this test's sockets are still open afterwards (should be 0).
func failingHandshake(
    server serverConfig: TLSServerConfig, client clientConfig: TLSClientConfig,
    serverName: String? = nil
) async throws -> (server: (any Error)?, client: (any Error)?, leftOpen: Int) {
    let tcp = try await Pair.make()
    try tcp.server.setDeadline(.after(safety))
    try tcp.client.setDeadline(.after(safety))
    let server = TLSConn.server(wrapping: tcp.server, config: serverConfig)
    let client = TLSConn.client(wrapping: tcp.client, config: clientConfig, serverName: serverName)
    async let serverError = caught {
        try await server.handshake()
        _ = try await server.read(upToCount: 1)  // TLS 1.3: a client's rejection arrives after the server's flight
    }
    let clientError = await caught { try await client.handshake() }
    if (clientError as? TLSError)?.kind == .configuration {
        try? client.close()  // it sent nothing: the server's read ends with EOF
    } else {
        // Let the server read our alert before we close: closing a socket that still holds
        // unread bytes makes the kernel send a RST, which can overtake the alert.
        try? tcp.server.setDeadline(.after(.seconds(5)))
    }
    let serverResult = await serverError
    try? server.close()
    try? client.close()
    try tcp.listener.close()
    return (serverResult, clientError, await socketsLeft(port: tcp.port))
}

@Suite("Bad input: each says which, no trap, no leaked descriptor", .timeLimit(.minutes(1)))
struct BadInputTests {
    @Test func keyThatDoesNotMatchTheCertificate() throws {
        let other = try PKI.ca.issue(names: ["other.test"])
        let error = #expect(throws: TLSError.self) {
            try TLSCertificate(certificatePEM: PKI.localhost.certificatePEM, privateKeyPEM: other.privateKeyPEM)
        }
        #expect(error?.kind == .keyMismatch)
        #expect(error?.message.hasPrefix("private key does not match the certificate") == true)
        #expect(error?.message.contains("localhost") == true)
    }

    @Test func keyFileThatDoesNotMatchTheCertificateFile() throws {
        let dir = PKI.files
        let other = try PKI.ca.issue(names: ["other.test"])
        try other.write(certificateTo: dir + "/other.pem", keyTo: dir + "/other-key.pem")
        let error = #expect(throws: TLSError.self) {
            try TLSServerConfig(certificateFile: dir + "/localhost.pem", keyFile: dir + "/other-key.pem")
        }
        #expect(error?.kind == .keyMismatch)
        #expect(error?.message.contains("other-key.pem") == true)
    }

    @Test func garbagePEM() throws {
        let key = PKI.localhost.privateKeyPEM
        let cases: [(String, String, String)] = [
            ("hello, I am not PEM", key, "no PEM data"),
            (key, key, "holds no certificate"),
            ("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", key, "does not decode"),
            (String(PKI.localhost.certificatePEM.prefix(200)), key, "does not decode"),  // cut in the middle
            (PKI.localhost.certificatePEM, "garbage", "no PEM data"),
            (PKI.localhost.certificatePEM, PKI.localhost.certificatePEM, "holds no private key"),
            (PKI.localhost.certificatePEM, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "does not decode"),
            (PKI.localhost.certificatePEM, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted"),
        ]
        for (certificate, key, words) in cases {
            let error = #expect(throws: TLSError.self) { try TLSCertificate(certificatePEM: certificate, privateKeyPEM: key) }
            #expect(error?.kind == .invalidPEM)
            #expect(error?.message.contains(words) == true, "\(String(describing: error)) should say \(words)")
        }
        let missing = #expect(throws: TLSError.self) {
            try TLSCertificate(certificateFile: "/nonexistent/c.pem", privateKeyFile: "/nonexistent/k.pem")
        }
        #expect(missing?.kind == .file)
        #expect(missing?.message.contains("No such file") == true)
        #expect(throws: TLSError.self) { try TLSClientConfig(serverName: "x", rootCAPEM: Array("junk".utf8)) }
    }

    @Test func expiredCertificate() async throws {
        let now = Int64(Date().timeIntervalSince1970)
        let expired = try PKI.ca.issue(names: ["localhost"], validFor: .seconds(86400), notBefore: now - 3 * 86400)
        let result = try await failingHandshake(server: TLSServerConfig(certificate: expired), client: PKI.clientConfig())
        let client = result.client as? TLSError
        #expect(client?.kind == .certificateVerifyFailed)
        #expect(client?.message.contains("certificate has expired") == true, "\(String(describing: client))")
        #expect(client?.verifyCode == 10)  // X509_V_ERR_CERT_HAS_EXPIRED
        let server = result.server as? TLSError
        #expect(server?.kind == .peerAlert)
        #expect(server?.message.contains("expired") == true, "\(String(describing: server))")
        #expect(result.leftOpen == 0)
    }

    @Test func hostnameMismatch() async throws {
        let result = try await failingHandshake(server: PKI.serverConfig(), client: PKI.clientConfig(serverName: "example.test"))
        let client = result.client as? TLSError
        #expect(client?.kind == .hostnameMismatch)
        #expect(client?.message == "hostname mismatch: certificate is for localhost, 127.0.0.1, ::1, not example.test")
        #expect(result.server != nil)
        #expect(result.leftOpen == 0)
    }

    @Test func ipAddressesAreVerifiedAsIPs() async throws {
        let good = try await TLSPair.make(client: PKI.clientConfig(serverName: "127.0.0.1"))
        #expect(good.server.serverName == nil)  // no SNI for an IP
        #expect(good.client.serverName == "127.0.0.1")
        await good.close()
        let result = try await failingHandshake(server: PKI.serverConfig(), client: PKI.clientConfig(serverName: "10.9.8.7"))
        let client = result.client as? TLSError
        #expect(client?.kind == .hostnameMismatch)
        #expect(client?.message.contains("not 10.9.8.7") == true)
        #expect(result.leftOpen == 0)
    }

    @Test func unknownCA() async throws {
        let stranger = try PKI.otherCA.issue(names: ["localhost"])
        let result = try await failingHandshake(server: TLSServerConfig(certificate: stranger), client: PKI.clientConfig())
        let client = result.client as? TLSError
        #expect(client?.kind == .certificateVerifyFailed)
        #expect(
            client?.message
                == "certificate verify failed: unable to get local issuer certificate (the server's certificate is not signed by a CA you trust)")
        let server = result.server as? TLSError
        #expect(server?.kind == .peerAlert)
        #expect(server?.message.contains("unknown ca") == true, "\(String(describing: server))")
        #expect(result.leftOpen == 0)
    }

    @Test func insecureSkipVerifyAcceptsAnything() async throws {
        let stranger = try PKI.otherCA.issue(names: ["somewhere.else"])
        let pair = try await TLSPair.make(
            server: TLSServerConfig(certificate: stranger),
            client: TLSClientConfig(serverName: "localhost", insecureSkipVerify: true))
        #expect(pair.client.peerCertificates == stranger.certificateChainDER)
        await pair.close()
    }

    @Test func clientWithoutServerNameIsRefused() async throws {
        let result = try await failingHandshake(server: PKI.serverConfig(), client: TLSClientConfig(rootCAPEM: Array(PKI.ca.certificatePEM.utf8)))
        #expect((result.client as? TLSError)?.kind == .configuration)
        #expect(result.leftOpen == 0)
    }

    @Test func plaintextHTTPToATLSServer() async throws {
        let tcp = try await Pair.make()
        try tcp.server.setDeadline(.after(safety))
        let server = TLSConn.server(wrapping: tcp.server, config: try PKI.serverConfig())
        try await tcp.client.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let error = await caught { try await server.handshake() } as? TLSError
        #expect(error?.kind == .notTLS)
        #expect(error?.message == "the peer did not speak TLS (first bytes look like an HTTP request: \"GET / HTT\")")
        // The handshake error sticks.
        #expect((await caught { _ = try await server.read(upToCount: 1) } as? TLSError)?.kind == .notTLS)
        try server.close()
        try tcp.client.close()
        try tcp.listener.close()
        #expect(await socketsLeft(port: tcp.port) == 0)
    }

    @Test func clientTalkingToAPlaintextServer() async throws {
        let tcp = try await Pair.make()
        try tcp.client.setDeadline(.after(safety))
        let client = TLSConn.client(wrapping: tcp.client, config: try PKI.clientConfig())
        async let answer: Void = {
            _ = try await tcp.server.read(upToCount: 4096)
            try await tcp.server.write("HTTP/1.1 400 Bad Request\r\n\r\n")
        }()
        let error = await caught { try await client.handshake() } as? TLSError
        try await answer
        #expect(error?.kind == .notTLS)
        #expect(error?.message.contains("an HTTP response") == true, "\(String(describing: error))")
        try client.close()
        try tcp.server.close()
        try tcp.listener.close()
        #expect(await socketsLeft(port: tcp.port) == 0)
    }

    @Test func handshakeCutShortByTheClient() async throws {
        let tcp = try await Pair.make()
        try tcp.server.setDeadline(.after(safety))
        let server = TLSConn.server(wrapping: tcp.server, config: try PKI.serverConfig())
        let hello = try ClientHelloInfo.capture(serverName: "localhost")
        try await tcp.client.write(Array(hello.prefix(40)))
        try tcp.client.close()
        let error = await caught { try await server.handshake() } as? TLSError
        #expect(error?.kind == .handshakeCutShort)
        #expect(error?.message.hasPrefix("handshake cut short by the peer") == true, "\(String(describing: error))")
        try server.close()
        try tcp.listener.close()
        #expect(await socketsLeft(port: tcp.port) == 0)
    }

    @Test func handshakeCutShortByTheServer() async throws {
        let tcp = try await Pair.make()
        try tcp.client.setDeadline(.after(safety))
        let client = TLSConn.client(wrapping: tcp.client, config: try PKI.clientConfig())
        async let hangUp: Void = {
            _ = try await tcp.server.read(upToCount: 4096)
            try tcp.server.close()
        }()
        let error = await caught { try await client.handshake() }
        try await hangUp
        #expect((error as? TLSError)?.kind == .handshakeCutShort, "\(String(describing: error))")
        #expect((error as? TLSError)?.message.contains("server closed the connection") == true)
        try client.close()
        try tcp.listener.close()
        #expect(await socketsLeft(port: tcp.port) == 0)
    }

    /// A client that connects and never speaks: the handshake obeys the conn's deadline.
    @Test func clientThatNeverSpeaks() async throws {
        let tcp = try await Pair.make()
        let server = TLSConn.server(wrapping: tcp.server, config: try PKI.serverConfig())
        try server.setDeadline(.after(.milliseconds(300)))
        let start = ContinuousClock.now
        let error = await caught { try await server.handshake() } as? NetError
        #expect(error?.isTimeout == true)
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(error?.description.contains("TLS handshake") == true, "\(String(describing: error))")
        try server.close()
        try tcp.client.close()
        try tcp.listener.close()
        #expect(await socketsLeft(port: tcp.port) == 0)
    }

    @Test func noCertificateForTheServerName() async throws {
        let config = try TLSServerConfig(certificateForServerName: { name in name == "localhost" ? PKI.localhost : nil })
        let result = try await failingHandshake(server: config, client: PKI.clientConfig(serverName: "unknown.test"))
        let server = result.server as? TLSError
        #expect(server?.kind == .noCertificate)
        #expect(server?.message == "the server has no certificate for server name \"unknown.test\"")
        #expect(result.client != nil)
        #expect(result.leftOpen == 0)
    }

    @Test func noCommonVersion() async throws {
        let result = try await failingHandshake(server: PKI.serverConfig(min: .tls13), client: PKI.clientConfig(max: .tls12))
        #expect((result.server as? TLSError)?.kind == .protocolVersion, "\(String(describing: result.server))")
        #expect((result.client as? TLSError)?.kind == .protocolVersion, "\(String(describing: result.client))")
        #expect(result.leftOpen == 0)
    }

    @Test func noCommonApplicationProtocol() async throws {
        let result = try await failingHandshake(server: PKI.serverConfig(alpn: ["h2"]), client: PKI.clientConfig(alpn: ["http/1.1"]))
        let server = result.server as? TLSError
        #expect(server?.kind == .noApplicationProtocol)
        #expect(server?.message.contains("the client offered http/1.1") == true, "\(String(describing: server))")
        #expect((result.client as? TLSError)?.kind == .noApplicationProtocol, "\(String(describing: result.client))")
        #expect(result.leftOpen == 0)
    }

    @Test func badConfigs() {
        #expect(throws: TLSError.self) { try TLSServerConfig() }
        #expect(throws: TLSError.self) { try TLSServerConfig(certificate: PKI.localhost, minVersion: .tls13, maxVersion: .tls12) }
        #expect(throws: TLSError.self) { try TLSClientConfig(serverName: "x", alpnProtocols: [""]) }
    }
}

@Suite("Negotiation", .timeLimit(.minutes(1)))
struct NegotiationTests {
    @Test(arguments: [TLSVersion.tls12, .tls13])
    func versions(_ version: TLSVersion) async throws {
        let pair = try await TLSPair.make(client: PKI.clientConfig(min: version, max: version))
        #expect(pair.server.negotiatedVersion == version.openSSLName)
        #expect(pair.client.negotiatedVersion == version.openSSLName)
        #expect(pair.client.cipherSuite == pair.server.cipherSuite)
        try await pair.client.write("over \(version)")
        #expect(try await readUntil(pair.server, "TLS").hasPrefix("over"))
        await pair.close()
    }

    @Test func alpnServerPreferenceWins() async throws {
        let pair = try await TLSPair.make(
            server: PKI.serverConfig(alpn: ["h2", "http/1.1"]),
            client: PKI.clientConfig(alpn: ["http/1.1", "h2"]))
        #expect(pair.server.negotiatedALPN == "h2")
        #expect(pair.client.negotiatedALPN == "h2")
        await pair.close()
        let none = try await TLSPair.make(server: PKI.serverConfig(alpn: ["h2"]), client: PKI.clientConfig())
        #expect(none.server.negotiatedALPN == nil)
        await none.close()
    }

    @Test func certificateChosenByServerName() async throws {
        let a = try PKI.ca.issue(names: ["a.test"])
        let b = try PKI.ca.issue(names: ["b.test"])
        let config = try TLSServerConfig(
            certificate: PKI.localhost,
            certificateForServerName: { name in
                switch name {
                case "a.test": a;
                case "b.test": b;
                default: nil
                }
            })
        for (name, expected) in [("a.test", a), ("b.test", b), ("localhost", PKI.localhost)] {
            let pair = try await TLSPair.make(server: config, client: PKI.clientConfig(serverName: name))
            #expect(pair.client.peerCertificates == expected.certificateChainDER)
            #expect(pair.server.serverName == name)
            await pair.close()
        }
    }
}
