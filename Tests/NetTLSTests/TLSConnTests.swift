import NetCore
import NetTLS
import Testing

/// A TCP pair with TLS on both ends, handshaken.
struct TLSPair {
    let tcp: Pair
    let server: TLSConn
    let client: TLSConn

    static func make(server serverConfig: TLSServerConfig? = nil, client clientConfig: TLSClientConfig? = nil) async throws -> TLSPair {
        let tcp = try await Pair.make()
        try tcp.server.setDeadline(.after(safety))
        try tcp.client.setDeadline(.after(safety))
        let server = TLSConn.server(wrapping: tcp.server, config: try serverConfig ?? PKI.serverConfig())
        let client = TLSConn.client(wrapping: tcp.client, config: try clientConfig ?? PKI.clientConfig())
        async let serverDone: Void = server.handshake()
        try await client.handshake()
        try await serverDone
        return TLSPair(tcp: tcp, server: server, client: client)
    }

    func close() async {
        try? await client.closeGracefully()
        try? await server.closeGracefully()
        try? tcp.listener.close()
    }
}

@Suite("TLSConn", .timeLimit(.minutes(1)))
struct TLSConnTests {
    /// core-semantics test 24: sniff the first record under a deadline, reset it, then serve TLS
    /// over a PrefixConn that replays the sniffed bytes.
    @Test func sniffThenTerminate() async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        let port = listener.address.port
        let serverSide = Task {
            let conn = try await listener.accept()
            try conn.setDeadline(.after(.seconds(30)))
            // A tiny sniffer: the record header says how long the record is.
            let header = try await conn.readExactly(5)
            var cursor = ByteString(header)
            guard cursor.readUInt8() == 22, cursor.skip(2), let length = cursor.readUInt16(), length <= 16384 else {
                throw TLSError(.notClientHello, "not a handshake record")
            }
            let body = try await conn.readExactly(Int(length))
            let hello = try ClientHelloInfo.inspect(header + body)
            try conn.setDeadline(nil)
            try conn.setDeadline(.after(safety))
            let tls = TLSConn.server(wrapping: PrefixConn(prefix: header + body, base: conn), config: try PKI.serverConfig())
            try await tls.handshake()
            let line = try await readUntil(tls, "\n")
            try await tls.write("echo: " + line)
            try await tls.closeGracefully()
            return (hello.serverName, tls.serverName, tls.negotiatedVersion)
        }
        let tcp = try await TCPConn.dial("127.0.0.1:\(port)", timeout: .seconds(5))
        try tcp.setDeadline(.after(safety))
        let client = TLSConn.client(wrapping: tcp, config: try PKI.clientConfig(serverName: "localhost"))
        try await client.write("hello over TLS\n")
        let reply = try await readAll(client)
        #expect(String(decoding: reply, as: UTF8.self) == "echo: hello over TLS\n")
        #expect(client.negotiatedVersion == "TLSv1.3")
        #expect(client.cipherSuite?.hasPrefix("TLS_") == true)
        #expect(client.peerCertificates == PKI.localhost.certificateChainDER)
        let (sniffed, served, version) = try await serverSide.value
        #expect(sniffed == "localhost")
        #expect(served == "localhost")
        #expect(version == "TLSv1.3")
        try await client.closeGracefully()
        try listener.close()
        #expect(await socketsLeft(port: port) == 0)
    }

    /// core-semantics test 25: 1 MiB each way at the same time; every side reads and writes
    /// from two tasks at once. A lock held across socket I/O would deadlock here, since
    /// neither side's writes can finish until the other side reads.
    @Test func fullDuplex() async throws {
        let pair = try await TLSPair.make()
        let size = 1 << 20
        let up = seededBytes(size, seed: 1)
        let down = seededBytes(size, seed: 2)
        try await bounded(.seconds(40)) {
            async let clientWrites: Void = pair.client.write(up)
            async let serverWrites: Void = pair.server.write(down)
            async let serverReads = pair.server.readExactly(size)
            async let clientReads = pair.client.readExactly(size)
            try await clientWrites
            try await serverWrites
            let (gotUp, gotDown) = try await (serverReads, clientReads)
            #expect(gotUp == up)
            #expect(gotDown == down)
        }
        await pair.close()
    }

    /// Many small writes and reads in a ping-pong keep their order and content.
    @Test func pingPong() async throws {
        let pair = try await TLSPair.make()
        for i in 0..<200 {
            try await pair.client.write("ping \(i)\n")
            #expect(try await readUntil(pair.server, "\n") == "ping \(i)\n")
            try await pair.server.write("pong \(i)\n")
            #expect(try await readUntil(pair.client, "\n") == "pong \(i)\n")
        }
        await pair.close()
    }

    /// core-semantics test 26, part 1: the peer's close_notify is a clean end of stream, and
    /// after closeWrite the other direction still works (a half-close).
    @Test func closeNotifyIsCleanEOF() async throws {
        let pair = try await TLSPair.make()
        try await pair.client.write("last words")
        try await pair.client.sendCloseNotify()
        #expect(try await readAll(pair.server) == Array("last words".utf8))
        #expect(try await pair.server.read(upToCount: 10) == [])  // and again: still EOF
        try await pair.server.write("reply after half-close")
        #expect(try await pair.client.read(upToCount: 100) == Array("reply after half-close".utf8))
        let error = await caught { try await pair.client.write("more") }
        #expect((error as? TLSError)?.kind == .shutdown)
        await pair.close()
    }

    /// Part 2: a bare TCP close (no close_notify) is `.unexpectedEOF`, not a clean EOF.
    @Test func bareTCPCloseIsUnexpectedEOF() async throws {
        let pair = try await TLSPair.make()
        // The client reads first, so that nothing unread (the server's TLS 1.3 session
        // tickets) sits in its socket when it closes: that would make the kernel send a RST,
        // and the server would see "connection reset", not an end of stream.
        try await pair.server.write("hi")
        #expect(try await pair.client.readExactly(2) == Array("hi".utf8))
        try await pair.client.write("partial")
        try pair.tcp.client.close()  // under the TLS layer: no close_notify
        #expect(try await pair.server.read(upToCount: 100) == Array("partial".utf8))
        let error = await caught { _ = try await pair.server.read(upToCount: 100) }
        #expect((error as? NetError)?.code == .unexpectedEOF, "\(String(describing: error))")
        try? pair.server.close()
        try pair.tcp.listener.close()
        #expect(await socketsLeft(port: pair.tcp.port) == 0)
    }

    /// Part 3: a read deadline fires with isTimeout (never early; generous upper bound for a
    /// busy machine), and the conn keeps working after the deadline is cleared.
    @Test func readDeadline() async throws {
        let pair = try await TLSPair.make()
        let start = ContinuousClock.now
        try pair.server.setReadDeadline(.after(.milliseconds(200)))
        let error = await caught { _ = try await pair.server.read(upToCount: 10) }
        let elapsed = ContinuousClock.now - start
        #expect((error as? NetError)?.isTimeout == true, "\(String(describing: error))")
        #expect(elapsed >= .milliseconds(200) && elapsed < .seconds(5))
        // A past deadline fails at once.
        try pair.server.setReadDeadline(.after(.seconds(-5)))
        #expect((await caught { _ = try await pair.server.read(upToCount: 10) } as? NetError)?.isTimeout == true)
        try pair.server.setReadDeadline(.after(safety))
        try await pair.client.write("after the timeout")
        #expect(try await readUntil(pair.server, "timeout") == "after the timeout")
        await pair.close()
    }

    /// Part 4: after a write times out, writes fail for good (the record stream has a hole);
    /// reads still work.
    @Test func writeTimeoutIsPermanent() async throws {
        let pair = try await TLSPair.make()
        try pair.server.setWriteDeadline(.after(.milliseconds(300)))
        let big = [UInt8](repeating: 0x61, count: 1 << 20)
        var first: (any Error)?
        for _ in 0..<64 where first == nil {  // the client never reads: the buffers fill up
            first = await caught { try await pair.server.write(big) }
        }
        #expect((first as? NetError)?.isTimeout == true, "\(String(describing: first))")
        try pair.server.setWriteDeadline(nil)
        let again = await caught { try await pair.server.write("x") }
        #expect((again as? NetError)?.isTimeout == true, "\(String(describing: again))")
        try await pair.client.write("reads still work")
        #expect(try await readUntil(pair.server, "work") == "reads still work")
        try? pair.server.close()  // a broken writer: no close_notify, just close
        try? pair.client.close()
        try pair.tcp.listener.close()
        #expect(await socketsLeft(port: pair.tcp.port) == 0)
    }

    /// `close()` wakes a pending read with `.closed`, and a second close throws `.closed`.
    @Test func closeSemantics() async throws {
        let pair = try await TLSPair.make()
        let reader = Task { await caught { _ = try await pair.server.read(upToCount: 10) } }
        try await Task.sleep(for: .milliseconds(50))
        try pair.server.close()
        let error = await reader.value
        #expect((error as? NetError)?.code == .closed, "\(String(describing: error))")
        #expect((await caught { try pair.server.close() } as? NetError)?.code == .closed)
        #expect((await caught { _ = try await pair.server.read(upToCount: 1) } as? NetError)?.code == .closed)
        // The client got close_notify before the TCP close: a clean EOF.
        #expect(try await pair.client.read(upToCount: 10) == [])
        try pair.client.close()
        try pair.tcp.listener.close()
        #expect(await socketsLeft(port: pair.tcp.port) == 0)
    }

    /// The implicit handshake: two tasks write and read at once before any handshake.
    @Test func implicitHandshakeFromTwoTasks() async throws {
        let tcp = try await Pair.make()
        try tcp.server.setDeadline(.after(safety))
        try tcp.client.setDeadline(.after(safety))
        let server = TLSConn.server(wrapping: tcp.server, config: try PKI.serverConfig())
        let client = TLSConn.client(wrapping: tcp.client, config: try PKI.clientConfig())
        async let serverEcho: Void = {
            let got = try await server.readExactly(5)
            try await server.write(got)
        }()
        async let clientRead = client.readExactly(5)
        try await client.write("12345")
        #expect(try await clientRead == Array("12345".utf8))
        try await serverEcho
        #expect(server.isHandshakeComplete && client.isHandshakeComplete)
        try await client.closeGracefully()
        try await server.closeGracefully()
        try tcp.listener.close()
    }

    /// Cancelling a blocked read throws `.canceled` and loses nothing.
    @Test func cancelBlockedRead() async throws {
        let pair = try await TLSPair.make()
        let reader = Task { await caught { _ = try await pair.server.read(upToCount: 10) } }
        try await Task.sleep(for: .milliseconds(50))
        reader.cancel()
        #expect((await reader.value as? NetError)?.code == .canceled)
        try await pair.client.write("still here")
        #expect(try await readUntil(pair.server, "here") == "still here")
        await pair.close()
    }
}
