import Testing
@testable import NetCore

/// `readExactly` and `write(_: [UInt8])`: a TCP conn reads into and sends from the array itself
/// (TCPConn+Arrays.swift), the other conns go through `Conn`'s buffered defaults. Every test
/// runs on all three kinds, so the fast path is held to the defaults' behaviour.
@Suite("Array reads and writes", .timeLimit(.minutes(1)))
struct ArrayIOTests {
    @Test("readExactly gathers bytes that arrive one at a time, and leaves the next ones", arguments: ConnKind.allCases)
    func gathersPieces(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        async let sent: Void = {
            for byte in UInt8(1)...9 {
                try await pair.client.write([byte])
                try await Task.sleep(for: .milliseconds(2))
            }
        }()
        #expect(try await server.readExactly(6) == [1, 2, 3, 4, 5, 6])
        #expect(try await server.readExactly(3) == [7, 8, 9])
        try await sent
        #expect(try await server.readExactly(0) == [])
    }

    @Test("readExactly over a frame larger than the socket buffers", arguments: ConnKind.allCases)
    func largeFrame(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        let payload = seededBytes(3 << 20, seed: 8)
        async let sent: Void = pair.client.write(payload)
        let received = try await server.readExactly(payload.count)
        try await sent
        #expect(sameBytes(received, payload))
    }

    @Test("end of stream inside readExactly: .unexpectedEOF counting the bytes that came", arguments: ConnKind.allCases)
    func endOfStreamCounts(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        try await pair.client.write([1, 2, 3])
        try pair.client.closeWrite()
        let error = await expectNetError(.unexpectedEOF) { _ = try await server.readExactly(8) }
        #expect(error?.bytesTransferred == 3)
        // At a frame boundary, end of stream is the same error with nothing counted.
        let again = await expectNetError(.unexpectedEOF) { _ = try await server.readExactly(4) }
        #expect(again?.bytesTransferred == 0)
    }

    @Test("a read deadline inside readExactly: a timeout counting the bytes that came", arguments: ConnKind.allCases)
    func deadlineCounts(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        try await pair.client.write([1, 2])
        try server.setReadDeadline(.after(.milliseconds(100)))
        let error = await expectNetError(.deadlineExceeded) { _ = try await server.readExactly(4) }
        #expect(error?.bytesTransferred == 2)
        // An expired deadline fails the next call at once, even with bytes waiting (as in Go).
        try await pair.client.write([3, 4])
        await expectNetError(.deadlineExceeded) { _ = try await server.readExactly(1) }
        try server.setReadDeadline(nil)
        #expect(try await server.readExactly(2) == [3, 4])
    }

    @Test("write of an array the peer does not read: a timeout counting exactly the bytes it took", arguments: ConnKind.allCases)
    func writeDeadlineCounts(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        let payload = seededBytes(32 << 20, seed: 9)  // far more than two socket buffers hold
        try server.setWriteDeadline(.after(.milliseconds(500)))
        let error = await expectNetError(.deadlineExceeded) { try await server.write(payload) }
        // Usually megabytes; 0 only if this task waited out the deadline before its first send
        // (a loaded machine), which the checks below still hold for.
        let sent = try #require(error?.bytesTransferred)
        #expect(sent < payload.count)
        try server.close()
        let received = try await readAll(pair.client)
        #expect(received.count == sent, "the count in the error is what the peer gets")
        #expect(sameBytes(received, Array(payload[..<sent])))
    }

    @Test("write of an empty array: nothing on an open conn, .closed on a closed one", arguments: ConnKind.allCases)
    func emptyWrite(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        try await server.write([UInt8]())
        try await server.write([7])
        #expect(try await pair.client.readExactly(1) == [7])
        try server.close()
        await expectNetError(.closed) { try await server.write([UInt8]()) }
        await expectNetError(.closed) { try await server.write([1]) }
        await expectNetError(.closed) { _ = try await server.readExactly(1) }
    }
}
