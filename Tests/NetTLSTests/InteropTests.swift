import Foundation
import NetCore
import NetTLS
import Testing

/// TLSConn against programs nobody here wrote: OpenSSL's s_server and s_client, and curl.
/// Each child runs on 127.0.0.1 with a free port, within a time bound, and is always terminated.
@Suite("Interop with openssl and curl", .timeLimit(.minutes(2)))
struct InteropTests {
    /// openssl s_server ↔ our client.
    @Test(arguments: [TLSVersion.tls12, .tls13])
    func ourClientToOpenSSLServer(_ version: TLSVersion) async throws {
        let dir = PKI.files
        let port = try freePort()
        let server = try Child([
            "openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-naccept", "1",
            "-cert", dir + "/localhost.pem", "-key", dir + "/localhost-key.pem",
            version == .tls12 ? "-tls1_2" : "-tls1_3", "-www",
        ])
        defer { server.process.terminate() }
        #expect(await server.waitForOutput("ACCEPT"), "s_server did not start: \(server.stderr)")
        let tcp = try await TCPConn.dial("127.0.0.1:\(port)", timeout: .seconds(5))
        try tcp.setDeadline(.after(safety))
        let client = TLSConn.client(wrapping: tcp, config: try PKI.clientConfig(serverName: "localhost"))
        try await client.write("GET / HTTP/1.0\r\n\r\n")
        var response: [UInt8] = []
        do {
            while true {
                let chunk = try await client.read(upToCount: 16384)
                if chunk.isEmpty { break }
                response += chunk
            }
        } catch let error as NetError where error.code == .unexpectedEOF {
            // s_server -www may close without close_notify; the page arrived either way.
        }
        let text = String(decoding: response, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.0 200 ok"), "\(text.prefix(200))")
        #expect(text.contains(version.openSSLName))  // s_server's page names the protocol
        #expect(client.negotiatedVersion == version.openSSLName)
        #expect(client.peerCertificates.first == PKI.localhost.certificateChainDER.first)
        try? client.close()
        await server.finish(limit: .seconds(5))
    }

    /// openssl s_client ↔ our server: it verifies our certificate against the CA.
    @Test(arguments: [TLSVersion.tls12, .tls13])
    func openSSLClientToOurServer(_ version: TLSVersion) async throws {
        let dir = PKI.files
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        let port = listener.address.port
        let serverSide = Task { () -> String? in
            let tcp = try await listener.accept()
            try tcp.setDeadline(.after(safety))
            let tls = TLSConn.server(wrapping: tcp, config: try PKI.serverConfig())
            let line = try await readUntil(tls, "\n")
            try await tls.write("echo: " + line)
            try await tls.closeGracefully()
            return tls.negotiatedVersion
        }
        let client = try Child(
            [
                "openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost",
                "-CAfile", dir + "/ca.pem", "-verify_return_error", "-verify_hostname", "localhost",
                version == .tls12 ? "-tls1_2" : "-tls1_3", "-brief", "-ign_eof",
            ],
            stdin: "hello from s_client\n")
        let status = await client.finish(limit: .seconds(15))
        try listener.close()  // wakes the accept if s_client never connected
        let negotiated = try await bounded { try await serverSide.value }
        #expect(status == 0, "s_client: \(client.stderr)")
        #expect(client.stdout.contains("echo: hello from s_client"), "stdout: \(client.stdout) stderr: \(client.stderr)")
        #expect(client.stderr.contains("Verification: OK"), "\(client.stderr)")
        #expect(client.stderr.contains("Protocol version: \(version.openSSLName)"), "\(client.stderr)")
        #expect(negotiated == version.openSSLName)
    }

    /// curl --cacert ↔ our server: an HTTPS response over TLSConn.
    @Test(arguments: [TLSVersion.tls12, .tls13])
    func curlToOurHTTPSServer(_ version: TLSVersion) async throws {
        let dir = PKI.files
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        let port = listener.address.port
        let serverSide = Task { () -> (String?, String?, String?) in
            let tcp = try await listener.accept()
            try tcp.setDeadline(.after(safety))
            let tls = TLSConn.server(wrapping: tcp, config: try PKI.serverConfig(alpn: ["http/1.1"]))
            let request = try await readUntil(tls, "\r\n\r\n")
            let body = "hello over TLS\n"
            try await tls.write(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
            try await tls.closeGracefully()
            return (request.components(separatedBy: "\r\n").first, tls.negotiatedALPN, tls.negotiatedVersion)
        }
        var arguments = [
            "curl", "-sS", "--max-time", "10", "--cacert", dir + "/ca.pem",
            "--resolve", "localhost:\(port):127.0.0.1", "-w", "\n%{http_code} %{http_version}",
        ]
        arguments += version == .tls12 ? ["--tlsv1.2", "--tls-max", "1.2"] : ["--tlsv1.3"]
        arguments.append("https://localhost:\(port)/hello")
        let curl = try Child(arguments)
        let status = await curl.finish(limit: .seconds(15))
        try listener.close()  // wakes the accept if curl never connected
        let (requestLine, alpn, negotiated) = try await bounded { try await serverSide.value }
        #expect(status == 0, "curl: \(curl.stderr)")
        #expect(curl.stdout == "hello over TLS\n\n200 1.1", "\(curl.stdout) \(curl.stderr)")
        #expect(requestLine == "GET /hello HTTP/1.1")
        #expect(alpn == "http/1.1")
        #expect(negotiated == version.openSSLName)
    }

    /// curl refuses our server when it does not trust the CA, and our server says why.
    @Test func curlWithoutTheCARefuses() async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        let port = listener.address.port
        let serverSide = Task { () -> (any Error)? in
            let tcp = try await listener.accept()
            try tcp.setDeadline(.after(safety))
            let tls = TLSConn.server(wrapping: tcp, config: try PKI.serverConfig())
            defer { try? tls.close() }
            return await caught {
                try await tls.handshake()
                _ = try await tls.read(upToCount: 1)
            }
        }
        let curl = try Child([
            "curl", "-sS", "--max-time", "10", "--resolve", "localhost:\(port):127.0.0.1",
            "--capath", "/nonexistent", "--cacert", "/dev/null", "https://localhost:\(port)/",
        ])
        let status = await curl.finish(limit: .seconds(15))
        try listener.close()  // wakes the accept if curl never connected
        let error = try await bounded { try await serverSide.value }
        #expect(status != 0)
        // curl sends an alert and closes; if it left part of our flight unread, its kernel
        // answers with a RST that can overtake the alert. Either way the handshake failed.
        #expect(error is TLSError || (error as? NetError)?.isConnectionReset == true, "\(String(describing: error))")
        #expect(await socketsLeft(port: port) == 0)
    }
}
