import Foundation
import Testing
@testable import NetCore

/// Records the modes a copy switches to (through `CopyPolicy.observer`, a task local, so that
/// copies in other tests running at the same time are not counted).
final class ModeRecorder: Sendable {
    private let modes = Locked<[CopyMode]>([])
    var seen: [CopyMode] { modes.withLock { $0 } }
    var record: @Sendable (CopyMode) -> Void { { [modes] mode in modes.withLock { $0.append(mode) } } }
}

@Suite("Copy policy: buffered reads or splice, from the sizes seen")
struct CopyPolicyTests {
    /// Feeds `reads` to a fresh policy (each a buffered read or a splice, as the mode at that
    /// point says) and returns the mode after each one.
    private func modes(after sizes: [Int], start: CopyMode = .buffered) -> [CopyMode] {
        var policy = CopyPolicy(mode: start)
        return sizes.map { size in
            if policy.mode == .buffered { _ = policy.didRead(size) } else { _ = policy.didSplice(size) }
            return policy.mode
        }
    }

    @Test("small reads stay buffered; a read that fills the buffer switches to splice")
    func smallThenBulk() {
        let full = CopyPolicy.bufferSize
        #expect(modes(after: [64, 64, 1000, full - 1]) == [.buffered, .buffered, .buffered, .buffered])
        #expect(modes(after: [64, full, 64]) == [.buffered, .spliced, .spliced])
    }

    @Test("spliced, it goes back to buffered after `interactiveRun` small splices in a row, not before")
    func bulkThenInteractive() {
        let full = CopyPolicy.bufferSize
        let run = CopyPolicy.interactiveRun
        let small = [Int](repeating: 64, count: run)
        #expect(modes(after: small, start: .spliced) == [CopyMode](repeating: .spliced, count: run - 1) + [.buffered])
        // A large splice in between starts the count again.
        let interrupted = [Int](repeating: 64, count: run - 1) + [1 << 20] + [Int](repeating: 64, count: run - 1)
        #expect(modes(after: interrupted, start: .spliced).allSatisfy { $0 == .spliced })
        // And the whole cycle: bulk, interactive, bulk again.
        let cycle = [64, full] + small + [64, full]
        #expect(
            modes(after: cycle)
                == [.buffered, .spliced] + [CopyMode](repeating: .spliced, count: run - 1) + [.buffered, .buffered, .spliced])
    }

    @Test("a switch is reported exactly once; splice unavailable keeps it buffered for good")
    func unavailable() {
        var policy = CopyPolicy()
        let toSplice = policy.didRead(CopyPolicy.bufferSize)
        let again = policy.didRead(CopyPolicy.bufferSize)
        #expect(toSplice && !again, "one switch, reported once")
        let stopped = policy.spliceUnavailable()
        #expect(stopped && policy.mode == .buffered && !policy.canSplice)
        let afterStop = policy.didRead(CopyPolicy.bufferSize)
        #expect(!afterStop && policy.mode == .buffered, "never splices again")
        let spliceWhileBuffered = policy.didSplice(64)
        #expect(!spliceWhileBuffered, "a splice while buffered changes nothing")
        var fresh = CopyPolicy()
        let freshStop = fresh.spliceUnavailable()
        #expect(!freshStop, "already buffered: no switch to report")
    }
}

@Suite("Adaptive copy between TCP conns", .timeLimit(.minutes(1)))
struct AdaptiveCopyTests {
    /// Sends `message` into the hop and waits until it has come out the other end, so that the
    /// copy sees it as one transfer of its own.
    private func roundTrip(_ hop: Hop, _ message: [UInt8]) async throws {
        try await hop.source.client.write(message)
        #expect(sameBytes(try await hop.sink.server.readExactly(message.count), message))
    }

    private static let bulk = 1 << 20
    private static let small = seededBytes(64, seed: 64)

    /// Small messages (buffered), bulk (spliced), then small ones again (buffered), with every
    /// direction's deadline armed all along; the deadline then ends the copy in the mode the
    /// argument names, and the error counts every byte delivered.
    @Test("the switch in both directions under a deadline", arguments: [CopyMode.spliced, .buffered])
    func switchBothWaysUnderDeadline(endIn: CopyMode) async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        try hop.source.server.setReadDeadline(.after(.seconds(30)))
        try hop.sink.client.setWriteDeadline(.after(.seconds(30)))
        try hop.sink.server.setReadDeadline(.after(.seconds(30)))
        let modes = ModeRecorder()
        var sent = 0
        let error: NetError? = try await CopyPolicy.$observer.withValue(modes.record) {
            async let copying = expectNetError(.deadlineExceeded) { try await copy(from: hop.source.server, to: hop.sink.client) }
            for _ in 0..<3 { try await roundTrip(hop, Self.small) }
            sent += 3 * Self.small.count
            #expect(modes.seen.isEmpty, "small messages are buffered")
            let payload = seededBytes(Self.bulk, seed: 1)
            async let delivered = hop.sink.server.readExactly(payload.count)
            try await hop.source.client.write(payload)
            #expect(sameBytes(try await delivered, payload))
            sent += payload.count
            #expect(modes.seen == [.spliced], "bulk is spliced")
            if endIn == .buffered {
                for _ in 0..<CopyPolicy.interactiveRun { try await roundTrip(hop, Self.small) }
                sent += CopyPolicy.interactiveRun * Self.small.count
                #expect(modes.seen == [.spliced, .buffered], "interactive again: buffered")
            }
            // The source's deadline, moved near, ends the copy while it waits in that mode.
            try hop.source.server.setReadDeadline(.after(.milliseconds(50)))
            return await copying
        }
        #expect(error?.bytesTransferred == sent, "every byte delivered is counted")
        #expect(modes.seen.last == endIn)
    }

    /// The sender writes a burst that switches the copy to splice and half-closes at once; or,
    /// spliced, sends the small message that turns it back to buffered together with its FIN.
    @Test("a half-close mid-switch ends the copy cleanly with every byte", arguments: [CopyMode.spliced, .buffered])
    func halfCloseMidSwitch(switchTo: CopyMode) async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        try hop.source.server.setReadDeadline(.after(.seconds(30)))  // a broken copy fails, not hangs
        try hop.sink.server.setReadDeadline(.after(.seconds(30)))
        let modes = ModeRecorder()
        var total = 0
        var unread: [UInt8] = []  // sent last, read by the sink only after the copy ended
        let count = try await CopyPolicy.$observer.withValue(modes.record) {
            async let copied = copy(from: hop.source.server, to: hop.sink.client)
            if switchTo == .buffered {
                let payload = seededBytes(Self.bulk, seed: 2)
                async let delivered = hop.sink.server.readExactly(payload.count)
                try await hop.source.client.write(payload)
                _ = try await delivered
                for _ in 1..<CopyPolicy.interactiveRun { try await roundTrip(hop, Self.small) }
                total += payload.count + (CopyPolicy.interactiveRun - 1) * Self.small.count
                #expect(modes.seen == [.spliced], "one small splice short of switching back")
                unread = Self.small
            } else {
                unread = seededBytes(4 * CopyPolicy.bufferSize, seed: 3)
            }
            try await hop.source.client.write(unread)
            total += unread.count
            try hop.source.client.closeWrite()
            let count = try await copied
            try hop.sink.client.closeWrite()
            return count
        }
        #expect(count == Int64(total))
        #expect(modes.seen.last == switchTo)
        #expect(sameBytes(try await readAll(hop.sink.server), unread), "the last bytes arrive, then EOF")
    }

    /// The sender resets its conn right after a burst that switched the copy to splice, or right
    /// after the small messages that switched it back: the copy reports the reset, and counts
    /// exactly the bytes the destination received, all of them in order.
    @Test("a reset mid-switch is reported after the bytes already moved", arguments: [CopyMode.spliced, .buffered])
    func resetMidSwitch(switchTo: CopyMode) async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        try hop.source.server.setReadDeadline(.after(.seconds(30)))
        try hop.sink.server.setReadDeadline(.after(.seconds(30)))
        let modes = ModeRecorder()
        var sent: [UInt8] = []
        let error: NetError? = try await CopyPolicy.$observer.withValue(modes.record) {
            async let copying = expectNetError(.system(ECONNRESET)) { try await copy(from: hop.source.server, to: hop.sink.client) }
            let burst = seededBytes(Self.bulk, seed: 4)
            if switchTo == .buffered {
                async let delivered = hop.sink.server.readExactly(burst.count)
                try await hop.source.client.write(burst)
                _ = try await delivered
                sent += burst
                for _ in 0..<CopyPolicy.interactiveRun { try await roundTrip(hop, Self.small) }
                for _ in 0..<CopyPolicy.interactiveRun { sent += Self.small }
                #expect(modes.seen == [.spliced, .buffered])
            } else {
                try await hop.source.client.write(burst)
                sent += burst
            }
            try hop.source.client.closeWithReset()
            let error = await copying
            try hop.sink.client.closeWrite()
            return error
        }
        #expect(modes.seen.first == .spliced)
        let arrived = try await readAll(hop.sink.server)
        let moved = switchTo == .buffered ? sent.count : arrived.count
        #expect(error?.bytesTransferred == moved, "the count is what reached the destination")
        #expect(switchTo == .spliced || arrived.count == 0, "everything before the reset was read already")
        if switchTo == .spliced {
            #expect(sameBytes(arrived, Array(sent.prefix(arrived.count))), "in order, nothing doubled")
        }
    }

    /// A short read waits without reading again until EAGAIN. The end of stream here arrived
    /// with the data, before the copy's first read, so its event is not repeated: the wait must
    /// know the peer closed and read again.
    @Test("after a short read the copy parks at once, and still sees an end of stream that came with the data")
    func shortReadThenEndOfStream() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        try await hop.source.client.write("hello")
        try hop.source.client.closeWrite()
        try await Task.sleep(for: .milliseconds(50))  // the data and the FIN are both in the socket
        try hop.source.server.setReadDeadline(.after(.seconds(5)))  // a copy that misses the EOF times out
        let count = try await copy(from: hop.source.server, to: hop.sink.client)
        #expect(count == 5)
        try hop.sink.client.closeWrite()
        #expect(try await readAll(hop.sink.server) == Array("hello".utf8))
    }

    /// A read stops short at TCP's urgent mark with bytes still behind it, so a short read does
    /// not prove the socket empty once urgent data was seen (EPOLLPRI): the copy reads again.
    @Test("bytes behind an urgent mark are copied without waiting for more traffic")
    func urgentDataDoesNotStall() async throws {
        let hop = try await Hop.make()
        defer { hop.closeAll() }
        let msgOOB: Int32 = 0x01  // MSG_OOB
        try await hop.source.client.write("hello")
        let sentUrgent = [UInt8(ascii: "!")].withUnsafeBytes { Glibc.send(hop.source.client.descriptor.fd, $0.baseAddress, 1, msgOOB) }
        #expect(sentUrgent == 1)
        try await hop.source.client.write("world")
        try await Task.sleep(for: .milliseconds(50))
        try hop.source.server.setReadDeadline(.after(.seconds(10)))
        try hop.sink.server.setReadDeadline(.after(.seconds(3)))  // a stalled copy fails here
        async let copied = copy(from: hop.source.server, to: hop.sink.client)
        // Without SO_OOBINLINE the urgent byte leaves the stream: the rest arrives as one.
        #expect(try await hop.sink.server.readExactly(10) == Array("helloworld".utf8))
        try hop.source.client.closeWrite()
        #expect(try await copied == 10)
    }
}
