import Foundation
import Testing
@testable import NetCore

/// Two pairs: bytes written to `source.client` arrive at `source.server`; bytes written to
/// `sink.client` arrive at `sink.server`. Copying `source.server` → `sink.client` is a proxy hop.
struct Hop {
    let source: Pair
    let sink: Pair

    static func make() async throws -> Hop { Hop(source: try await Pair.make(), sink: try await Pair.make()) }

    func closeAll() {
        source.closeAll()
        sink.closeAll()
    }
}

@Suite("Copy and splice", .timeLimit(.minutes(1)))
struct SpliceTests {
    @Test(
        "copy between TCP conns: 128 B, 1 MiB and 64 MiB, exact counts; bulk is spliced, a small message is not",
        arguments: [128, 1 << 20, 64 << 20])
    func spliceTCPToTCP(size: Int) async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        let payload = seededBytes(size, seed: UInt64(size))
        let modes = ModeRecorder()
        let count = try await CopyPolicy.$observer.withValue(modes.record) {
            async let sent: Void = {
                try await hop.source.client.write(payload)
                try hop.source.client.closeWrite()
            }()
            async let copied = copy(from: hop.source.server, to: hop.sink.client)
            async let received = readAll(hop.sink.server, limit: size)
            let count = try await copied
            try await sent
            #expect(sameBytes(try await received, payload))
            return count
        }
        #expect(count == Int64(size))
        if size < CopyPolicy.bufferSize {
            #expect(modes.seen.isEmpty, "a small message is read and sent, never spliced")
        } else {
            #expect(modes.seen.first == .spliced, "bulk goes through splice")
        }
    }

    @Test("a limit below, equal to and above what is available", arguments: [1000, 4096, 10_000])
    func spliceLimit(limit: Int) async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        let payload = seededBytes(4096)
        try await hop.source.client.write(payload)
        if limit > payload.count { try hop.source.client.closeWrite() }
        let count = try await copy(from: hop.source.server, to: hop.sink.client, limit: Int64(limit))
        #expect(count == Int64(min(limit, payload.count)))
        #expect(try await hop.sink.server.readExactly(Int(count)) == Array(payload.prefix(Int(count))))
        if limit < payload.count {
            // What the limit left behind is still there to read from the source.
            #expect(try await hop.source.server.readExactly(payload.count - limit) == Array(payload.dropFirst(limit)))
        }
    }

    @Test("splice edges: EOF at once returns 0; close mid-copy ends it; a closed peer gives EPIPE, the process survives")
    func spliceEdges() async throws {
        do {
            let hop = try await Hop.make()
            defer { hop.closeAll() }
            try hop.source.client.closeWrite()
            let start = ContinuousClock.now
            let count = try await copy(from: hop.source.server, to: hop.sink.client)
            #expect(count == 0)
            #expect(ContinuousClock.now - start < .seconds(5), "EOF ends the copy without waiting for anything")
        }
        do {
            // Closing the source while the copy waits for it ends the copy with .closed.
            let hop = try await Hop.make()
            defer { hop.closeAll() }
            try await hop.source.client.write("some")
            async let copying = expectNetError(.closed) { try await copy(from: hop.source.server, to: hop.sink.client) }
            #expect(try await hop.sink.server.readExactly(4) == Array("some".utf8))
            try hop.source.server.close()
            let error = await copying
            #expect(error?.bytesTransferred == 4, "the bytes already copied are counted")
        }
        do {
            // The destination's peer goes away: writing fails with EPIPE or ECONNRESET, no SIGPIPE.
            let hop = try await Hop.make()
            defer { hop.closeAll() }
            try hop.sink.server.closeWithReset()
            let stream = Task {
                let chunk = [UInt8](repeating: 9, count: 64 * 1024)
                for _ in 0..<64 { try await hop.source.client.write(chunk) }
            }
            do {
                _ = try await copy(from: hop.source.server, to: hop.sink.client)
                Issue.record("copy to a reset peer succeeded")
            } catch let error as NetError {
                #expect(error.code == .system(EPIPE) || error.code == .system(ECONNRESET), "\(error)")
            }
            stream.cancel()
            try hop.source.server.close()
            _ = await stream.result
        }
    }

    @Test("a copy obeys the source's read deadline and reports the bytes it moved")
    func spliceDeadline() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        try await hop.source.client.write(seededBytes(1000))
        try hop.source.server.setReadDeadline(.after(.milliseconds(100)))
        let error = await expectNetError(.deadlineExceeded) { try await copy(from: hop.source.server, to: hop.sink.client) }
        #expect(error?.bytesTransferred == 1000)
    }

    @Test("a proxy forwards a half-close: the backend gets the message then EOF, and its reply still arrives")
    func proxyHalfClose() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        // client = hop.source.client; proxy = (hop.source.server, hop.sink.client); backend = hop.sink.server
        let proxy = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await copy(from: hop.source.server, to: hop.sink.client)
                    try hop.sink.client.closeWrite()
                }
                group.addTask {
                    try await copy(from: hop.sink.client, to: hop.source.server)
                    try hop.source.server.closeWrite()
                }
                try await group.waitForAll()
            }
        }
        try await hop.source.client.write("message")
        try hop.source.client.closeWrite()
        #expect(try await readAll(hop.sink.server) == Array("message".utf8), "message, then EOF")
        try await hop.sink.server.write("reply")
        try hop.sink.server.closeWrite()
        #expect(try await readAll(hop.source.client) == Array("reply".utf8))
        try await proxy.value
    }

    @Test("a prefix conn's bytes arrive first, then the rest is spliced")
    func prefixThenSplice() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        let payload = seededBytes(256 * 1024)
        try await hop.source.client.write(Array(payload.prefix(5)))
        let sniffed = try await hop.source.server.readExactly(5)
        let prefixed = PrefixConn(prefix: sniffed, base: hop.source.server)
        let splicedBefore = SpliceStatistics.spliceCopies
        async let sent: Void = {
            try await hop.source.client.write(Array(payload.dropFirst(5)))
            try hop.source.client.closeWrite()
        }()
        async let copied = copy(from: prefixed, to: hop.sink.client)
        let received = try await readAll(hop.sink.server, limit: payload.count)
        #expect(try await copied == Int64(payload.count))
        try await sent
        #expect(sameBytes(received, payload))
        #expect(SpliceStatistics.spliceCopies > splicedBefore, "the base conn was spliced after the prefix")
    }

    @Test("a copy between non-TCP conns goes through a buffer and counts exactly")
    func bufferedCopyFallback() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        let payload = seededBytes(300_000)
        // A PrefixConn destination is written through to its base; a generic source needs the loop.
        let source = NotSpliceable(base: hop.source.server)
        async let sent: Void = {
            try await hop.source.client.write(payload)
            try hop.source.client.closeWrite()
        }()
        async let copied = copy(from: source, to: PrefixConn(prefix: [], base: hop.sink.client))
        let received = try await readAll(hop.sink.server, limit: payload.count)
        #expect(try await copied == Int64(payload.count))
        try await sent
        #expect(sameBytes(received, payload))
    }

    @Test("an idle copy holds no pipe: it is given back before each wait for the source, and taken again for the next bytes")
    func idleCopyHoldsNoPipe() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        var copier = TCPCopier(source: hop.source.server, destination: hop.sink.client, limit: nil, copied: 0, mode: .spliced)
        defer { copier.finish() }
        #expect(try copier.step() == .waitForSource, "nothing sent yet")
        // Once the copy turned to buffered reads, a short read ends in .waitForMoreFromSource.
        let waitsForSource: Set<TCPCopier.Next> = [.waitForSource, .waitForMoreFromSource]
        #expect(!copier.holdsPipe)
        var expectedTotal: Int64 = 0
        for round in 1...3 {
            let message = seededBytes(1000 * round, seed: UInt64(round))
            try await hop.source.client.write(message)
            expectedTotal += Int64(message.count)
            // The bytes may reach the source socket in pieces: step until they are all across
            // (10 s at most, so that a broken copier fails instead of hanging).
            let start = ContinuousClock.now
            while copier.total < expectedTotal, ContinuousClock.now - start < .seconds(10) {
                #expect(waitsForSource.contains(try copier.step()))
                #expect(!copier.holdsPipe, "round \(round): waiting for the source without a pipe")
                if copier.total < expectedTotal { try await Task.sleep(for: .milliseconds(2)) }
            }
            try hop.sink.server.setReadDeadline(.after(.seconds(10)))
            #expect(sameBytes(try await hop.sink.server.readExactly(message.count), message))
        }
        try hop.source.client.closeWrite()
        var last = try copier.step()
        while waitsForSource.contains(last) {
            try await Task.sleep(for: .milliseconds(5))
            last = try copier.step()
        }
        #expect(last == .finished)
        #expect(copier.total == 6000)
    }

    @Test("with no descriptor left for a pipe, a copy goes on through a buffer: nothing lost, nothing doubled")
    func pipeFailureFallsBack() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        let first = seededBytes(64 * 1024, seed: 7)
        let second = seededBytes(100_000, seed: 8)
        // The first pipe is real; every later one fails as pipe2 does at the descriptor limit.
        let takes = Locked(0)
        let takePipe: @Sendable () throws -> SplicePipe = {
            if takes.withLock({
                $0 += 1; return $0
            }) == 1 {
                return try PipePool.take()
            }
            throw NetError(.system(EMFILE), op: "splice")
        }
        try hop.source.server.setReadDeadline(.after(.seconds(20)))  // a broken copy fails, not hangs
        try hop.sink.server.setReadDeadline(.after(.seconds(20)))
        // On loopback the bytes are in the source socket when write returns: the first drain,
        // with the one real pipe, gets them.
        try await hop.source.client.write(first)
        let modes = ModeRecorder()
        try await PipePool.$takeForTesting.withValue(takePipe) {
            try await CopyPolicy.$observer.withValue(modes.record) {
                async let copied = tcpCopy(from: hop.source.server, to: hop.sink.client, limit: nil, mode: .spliced)
                let gotFirst = try await hop.sink.server.readExactly(first.count)
                // Whatever the copy is doing now (draining again with the pipe it holds, or parked
                // without one), the next bytes, or the end of stream after them, need a new pipe,
                // and there is none: splicing stops, owing nothing, and the rest is buffered.
                try await hop.source.client.write(second)
                try hop.source.client.closeWrite()
                let rest = try await hop.sink.server.readExactly(second.count)
                #expect(try await copied == Int64(first.count + second.count))
                #expect(sameBytes(gotFirst + rest, first + second))
            }
        }
        #expect(takes.withLock { $0 } == 2)
        #expect(modes.seen == [.buffered], "splicing stopped for good when no pipe could be had")
    }

    @Test("an error on the source waits until the bytes already in the pipe are delivered")
    func sourceErrorAfterPipeDrains() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        try hop.sink.client.setWriteBuffer(16 * 1024)
        try hop.sink.server.setReadBuffer(16 * 1024)
        var copier = TCPCopier(source: hop.source.server, destination: hop.sink.client, limit: nil, copied: 0, mode: .spliced)
        defer { copier.finish() }
        let chunk = seededBytes(256 * 1024, seed: 10)
        var sent: [UInt8] = []
        var next = TCPCopier.Next.waitForSource
        let start = ContinuousClock.now
        while next != .waitForDestination, ContinuousClock.now - start < .seconds(10) {
            try await hop.source.client.write(chunk)
            sent += chunk
            try await Task.sleep(for: .milliseconds(5))
            next = try copier.step()
        }
        #expect(next == .waitForDestination)
        #expect(copier.bytesInPipe > 0)
        // The sender resets its connection: the source now has an error (and possibly unread bytes, lost to the RST).
        try hop.source.client.closeWithReset()
        try await Task.sleep(for: .milliseconds(20))
        #expect(try copier.step() == .waitForDestination, "the bytes in the pipe come first")

        // Now read the sink and keep stepping: every byte that reached the pipe arrives, then the reset.
        var received: [UInt8] = []
        var failure: NetError?
        try hop.sink.server.setReadDeadline(.after(.seconds(10)))
        while failure == nil, ContinuousClock.now - start < .seconds(20) {
            received += try await hop.sink.server.read(upToCount: 1 << 20)
            do {
                _ = try copier.step()
            } catch let error as NetError {
                failure = error
            }
        }
        #expect(failure?.isConnectionReset == true, "the reset is reported: \(String(describing: failure))")
        #expect(failure?.bytesTransferred == Int(copier.total))
        while received.count < Int(copier.total) {
            received += try await hop.sink.server.read(upToCount: 1 << 20)
        }
        #expect(received.count == Int(copier.total))
        #expect(sameBytes(received, Array(sent.prefix(received.count))), "in order, nothing lost or doubled")
    }

    @Test("the pipe pool stays bounded and holds no pipe with data")
    func pipePoolBounded() async throws {
        await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<24 {
                group.addTask {
                    let hop = try await Hop.make()
                    defer { hop.closeAll() }
                    try await hop.source.client.write(seededBytes(10_000))
                    try hop.source.client.closeWrite()
                    _ = try await copy(from: hop.source.server, to: hop.sink.client)
                }
            }
        }
        #expect(PipePool.idleCount <= PipePool.maxIdle)
    }
}

/// A conn that hides its TCP base, forcing `copy` onto the buffered path.
final class NotSpliceable: Conn {
    let base: TCPConn
    init(base: TCPConn) { self.base = base }
    func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int { try await base.read(into: buffer) }
    func write(_ bytes: UnsafeRawBufferPointer) async throws { try await base.write(bytes) }
    func close() throws { try base.close() }
    func setReadDeadline(_ deadline: Deadline?) throws { try base.setReadDeadline(deadline) }
    func setWriteDeadline(_ deadline: Deadline?) throws { try base.setWriteDeadline(deadline) }
    var localAddress: SocketAddress { base.localAddress }
    var remoteAddress: SocketAddress { base.remoteAddress }
}
