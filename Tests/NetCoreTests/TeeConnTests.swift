import Foundation
import Testing
@testable import NetCore

/// `TeeConn`, Go's `io.TeeReader` over a conn. The semantics it shares with every conn (deadlines,
/// close, cancellation) run over it through `ConnKind.tee`; these are what it adds.
@Suite("TeeConn", .timeLimit(.minutes(1)))
struct TeeConnTests {
    @Test("records exactly the bytes read, in order, by every kind of read; unread bytes are not recorded")
    func recordsWhatWasRead() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let tee = TeeConn(base: pair.server)
        #expect(tee.recorded.isEmpty)
        try await pair.client.write("HELLO world, and the rest")
        #expect(try await tee.readExactly(5) == Array("HELLO".utf8))
        #expect(tee.recorded == Array("HELLO".utf8))
        #expect(try await tee.read(upToCount: 6) == Array(" world".utf8))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 5, alignment: 1)
        defer { buffer.deallocate() }
        let count = try await tee.read(into: buffer)
        #expect(Array(buffer[..<count]) == Array(", and".prefix(count).utf8))
        #expect(tee.recorded == Array("HELLO world, and".prefix(11 + count).utf8))
        // What the tee did not read stays in the base conn, unrecorded.
        let rest = try await pair.server.readExactly(25 - 11 - count)
        #expect(tee.recorded == Array("HELLO world, and".prefix(11 + count).utf8))
        #expect(tee.recorded + rest == Array("HELLO world, and the rest".utf8))
    }

    @Test("an early end keeps the bytes that were read before it")
    func earlyEndKeepsPartialRead() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let tee = TeeConn(base: pair.server)
        try await pair.client.write([22, 3, 1])
        try pair.client.closeWrite()
        let error = await expectNetError(.unexpectedEOF) { _ = try await tee.readExactly(5) }
        #expect(error?.bytesTransferred == 3)
        #expect(tee.recorded == [22, 3, 1], "what was consumed from the base is what was recorded")
        #expect(try await tee.read(upToCount: 10) == [], "end of stream records nothing")
        #expect(tee.recorded == [22, 3, 1])
    }

    @Test("a tee and a prefix conn compose: the copy sees the stream from its first byte, and splices after it")
    func teeThenPrefixReplaysTheStream() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        // A record header and its body, read through the tee as a ClientHello reader would.
        let payload = [22, 3, 1, 0, 4, 1, 0, 0, 0] + seededBytes(256 * 1024)
        async let sent: Void = {
            try await hop.source.client.write(payload)
            try hop.source.client.closeWrite()
        }()
        let tee = TeeConn(base: hop.source.server)
        var header = ByteString(try await tee.readExactly(5))
        let type = header.readUInt8()
        let skipped = header.skip(2)
        let length = header.readUInt16()
        #expect(type == 22 && skipped && length == 4)
        _ = try await tee.readExactly(Int(length ?? 0))
        #expect(tee.recorded == Array(payload.prefix(9)))

        let replayed = PrefixConn(prefix: tee.recorded, base: hop.source.server)
        let splicedBefore = SpliceStatistics.spliceCopies
        async let copied = copy(from: replayed, to: hop.sink.client)
        let received = try await readAll(hop.sink.server, limit: payload.count)
        #expect(try await copied == Int64(payload.count))
        try await sent
        #expect(sameBytes(received, payload))
        #expect(SpliceStatistics.spliceCopies > splicedBefore, "the base conn was spliced after the replayed bytes")
        #expect(tee.recorded.count == 9, "reads past the tee are not recorded")
    }

    @Test("a copy from a tee records what it copies; writes to a tee go to its base and are not recorded")
    func copyThroughTee() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        let payload = seededBytes(100_000)
        let source = TeeConn(base: hop.source.server)
        let destination = TeeConn(base: hop.sink.client)
        async let sent: Void = {
            try await hop.source.client.write(payload)
            try hop.source.client.closeWrite()
        }()
        async let copied = copy(from: source, to: destination)
        let received = try await readAll(hop.sink.server, limit: payload.count)
        #expect(try await copied == Int64(payload.count))
        try await sent
        #expect(sameBytes(received, payload))
        #expect(sameBytes(source.recorded, payload))
        #expect(destination.recorded.isEmpty)
    }

    @Test("half-close, close and addresses go to the base conn")
    func forwardsToBase() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let tee = TeeConn(base: pair.server)
        #expect(tee.localAddress == pair.server.localAddress)
        #expect(tee.remoteAddress == pair.server.remoteAddress)
        try await tee.write("reply")
        try tee.closeWrite()
        #expect(try await readAll(pair.client) == Array("reply".utf8), "the peer reads the reply, then EOF")
        try tee.close()
        await expectNetError(.closed) { _ = try await pair.server.read(upToCount: 1) }
        await expectNetError(.closed) { try tee.close() }
    }
}
