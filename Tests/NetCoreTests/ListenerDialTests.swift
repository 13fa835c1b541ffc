import Foundation
import Testing
@testable import NetCore

@Suite("Listen, accept and dial", .timeLimit(.minutes(1)))
struct ListenerDialTests {
    @Test("accept: a past deadline fails even with a conn queued; +10 ms returns; cleared keeps blocking")
    func acceptTimeout() async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        defer { try? listener.close() }
        let queued = try await TCPConn.dial(listener.address.description)
        defer { try? queued.close() }
        try await Task.sleep(for: .milliseconds(20))
        try listener.setDeadline(.after(.seconds(-1)))
        await expectNetError(.deadlineExceeded) { _ = try await listener.accept() }

        // A deadline in the future lets the queued conn through (5 s: a busy machine may take a
        // while to get here); a short one then expires with nothing queued.
        try listener.setDeadline(.after(.seconds(5)))
        let conn = try await listener.accept()
        try conn.close()
        try listener.setDeadline(.after(.milliseconds(10)))
        await expectNetError(.deadlineExceeded) { _ = try await listener.accept() }

        try listener.setDeadline(.after(.seconds(-1)))
        try listener.setDeadline(nil)
        let blocked = Task { () -> NetError.Code? in
            do { _ = try await listener.accept(); return nil } catch let e as NetError { return e.code } catch { return nil }
        }
        try await Task.sleep(for: .milliseconds(100))
        try listener.close()
        #expect(await blocked.value == .closed, "a cleared deadline blocks until close")
    }

    @Test("listener close wakes accept, the port can be listened on again, a second close throws")
    func listenerCloseSemantics() async throws {
        // A port below the ephemeral range (32768 and up on Linux): a port 0 listener gets an
        // ephemeral port, and between its close and the second listen, any outgoing connection
        // of a test running in parallel (thousands of them) may take that port for itself.
        var found: TCPListener?
        for _ in 0..<50 where found == nil {
            found = try? TCPListener.listen(address: "127.0.0.1:\(Int.random(in: 20000..<32000))")
        }
        let listener = try #require(found, "no free port between 20000 and 32000 in 50 tries")
        let address = listener.address.description
        async let pending = expectNetError(.closed) { _ = try await listener.accept() }
        try await Task.sleep(for: .milliseconds(50))
        try listener.close()
        _ = await pending
        await expectNetError(.closed) { try listener.close() }
        await expectNetError(.closed) { _ = try await listener.accept() }
        let again = try TCPListener.listen(address: address)
        #expect(again.address.description == address)
        try again.close()
    }

    @Test("listening on a port in use says so")
    func portInUse() async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        defer { try? listener.close() }
        let error = await expectNetError(.system(EADDRINUSE)) {
            _ = try TCPListener.listen(address: listener.address.description)
        }
        #expect(error.map { "\($0)" } == "listen tcp \(listener.address): bind: address already in use")
    }

    @Test("IPv6 and localhost listeners work; addresses print as Go prints them")
    func ipv6AndLocalhost() async throws {
        let v6 = try TCPListener.listen(address: "[::1]:0")
        defer { try? v6.close() }
        #expect(v6.address.description.hasPrefix("[::1]:"))
        async let accepted = v6.accept()
        let client = try await TCPConn.dial(v6.address.description)
        let server = try await accepted
        #expect(client.remoteAddress == v6.address)
        #expect(server.remoteAddress == client.localAddress)
        try await client.write("v6")
        #expect(try await server.readExactly(2) == Array("v6".utf8))
        try client.close()
        try server.close()

        let local = try TCPListener.listen(address: "localhost:0")
        defer { try? local.close() }
        #expect(local.address.host == "127.0.0.1")
        async let accepted2 = local.accept()
        let byName = try await TCPConn.dial("localhost:\(local.address.port)", timeout: .seconds(5))
        try byName.close()
        try await accepted2.close()
    }

    @Test(
        "addresses that do not parse are errors that quote them",
        arguments: [
            ("localhost:99999", "invalid port"),
            ("::1", "too many colons"),
            ("", "missing address"),
            ("127.0.0.1", "missing port"),
            ("127.0.0.1:", "missing port"),
            ("[::1:80", "missing ']'"),
            ("host:http", "invalid port"),
        ])
    func badAddresses(address: String, reason: String) async throws {
        for attempt in ["listen", "dial"] {
            let error = await expectNetError(.invalidAddress) {
                if attempt == "listen" {
                    _ = try TCPListener.listen(address: address)
                } else {
                    _ = try await TCPConn.dial(address, timeout: .seconds(1))
                }
            }
            let text = error.map { "\($0)" } ?? ""
            #expect(text.contains("\"\(address)\""), "\(attempt): \(text)")
            #expect(text.contains(reason), "\(attempt): \(text)")
        }
    }

    @Test("dial: refused names the address; a past deadline fails fast; a huge timeout works; a full backlog times out")
    func dial() async throws {
        // A port that was just free: listen, note it, close.
        let probe = try TCPListener.listen(address: "127.0.0.1:0")
        let closedPort = probe.address.description
        try probe.close()
        let refused = await expectNetError(.system(ECONNREFUSED)) { _ = try await TCPConn.dial(closedPort, timeout: .seconds(5)) }
        #expect(refused?.isConnectionRefused == true)
        #expect(refused.map { "\($0)" } == "dial tcp \(closedPort): connection refused")

        let listener = try TCPListener.listen(address: "127.0.0.1:0", backlog: 1)
        defer { try? listener.close() }
        let elapsed = await measure {
            await expectNetError(.deadlineExceeded) { _ = try await TCPConn.dial(listener.address.description, deadline: .after(.seconds(-1))) }
        }
        // The listener would accept at once, so the timeout proves the deadline was checked
        // before connecting; the bound only catches a dial that waited for something.
        #expect(elapsed < .seconds(3), "a past deadline fails without waiting")

        let long = try await TCPConn.dial(listener.address.description, timeout: .seconds(Int64.max))
        try long.close()

        // Never accepted: once the accept queue is full the kernel drops SYNs and dials time out.
        var held: [TCPConn] = []
        defer { held.forEach { try? $0.close() } }
        var timedOut = false
        for _ in 0..<32 {
            do {
                held.append(try await TCPConn.dial(listener.address.description, timeout: .milliseconds(200)))
            } catch let error as NetError {
                #expect(error.isTimeout, "\(error)")
                timedOut = error.isTimeout
                break
            }
        }
        #expect(timedOut, "a dial to a full backlog timed out")
    }

    @Test("an unknown host name is reported with the name, bounded by the timeout")
    func unknownHost() async throws {
        let elapsed = try await measure {
            do {
                _ = try await TCPConn.dial("no-such-host.invalid:80", timeout: .seconds(3))
                Issue.record("resolved a .invalid name")
            } catch let error as NetError {
                #expect(error.code == .unknownHost || error.code == .deadlineExceeded, "\(error)")
                #expect("\(error)".contains("no-such-host.invalid"))
            }
        }
        #expect(elapsed < .seconds(10), "bounded by the 3 s timeout, plus scheduling on a busy machine")
    }

    @Test("1,000 connections opened and closed leave no socket behind")
    func thousandConnectionsNoLeak() async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        defer { try? listener.close() }
        let port = listener.address.port
        let before = socketsInvolving(port: port)
        let acceptor = Task {
            var count = 0
            while count < 1000 {
                let conn = try await listener.accept()
                _ = try await conn.read(upToCount: 1)
                try conn.close()
                count += 1
            }
        }
        for _ in 0..<1000 {
            let conn = try await TCPConn.dial(listener.address.description, timeout: .seconds(30))
            try await conn.write("x")
            try conn.close()
        }
        try await acceptor.value
        #expect(await eventually { socketsInvolving(port: port) == before }, "sockets: \(socketsInvolving(port: port)), before: \(before)")
    }

    @Test("5,000 concurrent idle connections are accepted and closed")
    func fiveThousandIdle() async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        defer { try? listener.close() }
        let port = listener.address.port
        let count = 5000
        let acceptor = Task {
            var accepted: [TCPConn] = []
            while accepted.count < count { accepted.append(try await listener.accept()) }
            return accepted
        }
        var clients: [TCPConn] = []
        for _ in 0..<count { clients.append(try await TCPConn.dial(listener.address.description, timeout: .seconds(30))) }
        let servers = try await acceptor.value
        #expect(servers.count == count)
        #expect(socketsInvolving(port: port) == 2 * count + 1)
        // Every one is still alive: a byte from the last client reaches its server end.
        try await clients[count - 1].write("!")
        let last = servers.first { $0.remoteAddress == clients[count - 1].localAddress }
        #expect(try await last?.readExactly(1) == Array("!".utf8))
        for conn in clients + servers { try conn.close() }
        #expect(await eventually { socketsInvolving(port: port) == 1 })
    }
}

@Suite("Socket addresses")
struct SocketAddressTests {
    @Test func bytesRoundTripAndEquality() throws {
        let v4 = try #require(SocketAddress(ip: [127, 0, 0, 1], port: 80))
        let v6 = try #require(SocketAddress(ip: [UInt8](repeating: 0, count: 15) + [1], port: 80))
        #expect(v4.ip == [127, 0, 0, 1] && !v4.isIPv6 && v4.description == "127.0.0.1:80")
        #expect(v6.ip.count == 16 && v6.isIPv6 && v6.description == "[::1]:80")
        // 127.0.0.1 and the IPv6 address whose first four bytes are 127.0.0.1 differ.
        let lookalike = try #require(SocketAddress(ip: [127, 0, 0, 1] + [UInt8](repeating: 0, count: 12), port: 80))
        #expect(v4 != lookalike)
        #expect(Set([v4, v6, lookalike, SocketAddress(ip: [127, 0, 0, 1], port: 80)!]).count == 3)
        #expect(SocketAddress(ip: [1, 2, 3], port: 1) == nil)
    }
}
