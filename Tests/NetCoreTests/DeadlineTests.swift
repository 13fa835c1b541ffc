import Foundation
import Testing
@testable import NetCore

@Suite("Deadlines", .timeLimit(.minutes(1)))
struct DeadlineTests {
    @Test("a read timeout does not affect writes, and the reverse", arguments: ConnKind.allCases)
    func directionsAreIndependent(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        try server.setReadDeadline(.after(.milliseconds(20)))
        await expectNetError(.deadlineExceeded) { _ = try await server.read(upToCount: 10) }
        try await server.write("still writable")
        #expect(try await pair.client.readExactly(14) == Array("still writable".utf8))

        try server.setReadDeadline(nil)
        try server.setWriteDeadline(.after(.seconds(-1)))
        await expectNetError(.deadlineExceeded) { try await server.write("x") }
        try await pair.client.write("still readable")
        #expect(try await server.readExactly(14) == Array("still readable".utf8))
    }

    @Test("a past deadline fails at once even with data ready; clearing it restores I/O", arguments: ConnKind.allCases)
    func pastDeadlineFailsImmediately(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        try await pair.client.write("ready")
        try await Task.sleep(for: .milliseconds(20))
        try server.setReadDeadline(.after(.seconds(-5)))
        let error = await expectNetError(.deadlineExceeded) { _ = try await server.read(upToCount: 10) }
        #expect(error?.bytesTransferred == 0)
        #expect(error?.isTimeout == true)
        #expect(error.map { "\($0)" }?.hasSuffix("i/o timeout") == true)
        // Still expired on the second try: the direction stays expired until a new deadline.
        await expectNetError(.deadlineExceeded) { _ = try await server.read(upToCount: 10) }
        try server.setWriteDeadline(.after(.seconds(-5)))
        await expectNetError(.deadlineExceeded) { try await server.write("x") }
        try server.setDeadline(nil)
        #expect(try await server.readExactly(5) == Array("ready".utf8))
        try await server.write("back")
        #expect(try await pair.client.readExactly(4) == Array("back".utf8))
    }

    @Test("a deadline set to now wakes a pending read, and not before", arguments: ConnKind.allCases)
    func presentDeadlineUnblocksPending(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        // "Not before": the read must still be pending when the deadline is set, so its end is
        // stamped inside the task and compared with the moment of the set.
        let pending = Task { () -> ContinuousClock.Instant in
            _ = await expectNetError(.deadlineExceeded) { _ = try await server.read(upToCount: 10) }
            return ContinuousClock.now
        }
        try await Task.sleep(for: .milliseconds(100))
        let set = ContinuousClock.now
        try server.setReadDeadline(.now)
        let ended = await pending.value
        #expect(ended >= set, "the read ended before its deadline was set")
    }

    @Test("a future deadline times out, then the conn resyncs and round-trips", arguments: ConnKind.allCases)
    func futureDeadlineThenReuse(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        try server.setReadDeadline(.after(.milliseconds(50)))
        await expectNetError(.deadlineExceeded) { _ = try await server.read(upToCount: 10) }
        try server.setReadDeadline(.after(.seconds(5)))
        try await pair.client.write("ping")
        #expect(try await server.readExactly(4) == Array("ping".utf8))
        try await server.write("pong")
        #expect(try await pair.client.readExactly(4) == Array("pong".utf8))
    }

    @Test("a cleared past deadline must not make a read return", arguments: ConnKind.allCases)
    func clearedDeadlineMustNotReturn(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        try server.setReadDeadline(.after(.seconds(-5)))
        try server.setReadDeadline(nil)
        let reader = Task { () -> Result<[UInt8], NetError> in
            do { return .success(try await server.read(upToCount: 10)) } catch let e as NetError { return .failure(e) } catch {
                return .failure(NetError(.canceled))
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        try pair.client.close()
        // The read ends only because the peer closed: it returns EOF (0 bytes), not a timeout.
        let result = await reader.value
        #expect((try? result.get()) == [])
    }

    @Test("timeouts are never early and not much late")
    func deadlineFluctuation() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        // Like Go's TestReadTimeoutFluctuation: never before the deadline; at most 1.1 × d
        // late, retrying with a longer d (up to 4 s) when a busy machine made it later.
        var d = Duration.milliseconds(100)
        var passed = false
        while d <= .seconds(4) {
            let start = ContinuousClock.now
            try pair.server.setReadDeadline(start + d)
            await expectNetError(.deadlineExceeded) { _ = try await pair.server.read(upToCount: 10) }
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= d, "woke \(d - elapsed) early")
            if elapsed <= d * 1.1 {
                passed = true
                break
            }
            d *= 2
        }
        #expect(passed, "every timeout up to 4 s was more than 10% late")
    }

    @Test("reads with deadlines from 1 ns to 1 s always time out")
    func variousDeadlines() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let stop = Atomic(false)
        // A writer that never stops, so the reader always has data and only the deadline ends it.
        let writer = Task {
            let chunk = [UInt8](repeating: 7, count: 16 * 1024)
            while !stop.value { try await pair.client.write(chunk) }
        }
        let deadlines: [Duration] = [
            .nanoseconds(1), .nanoseconds(50), .nanoseconds(250), .microseconds(1),
            .microseconds(10), .microseconds(500), .milliseconds(1), .milliseconds(10),
            .milliseconds(100), .milliseconds(300), .seconds(1),
        ]
        for d in deadlines {
            try pair.server.setReadDeadline(.after(d))
            let error = await expectNetError(.deadlineExceeded) {
                while true { _ = try await pair.server.read(upToCount: 32 * 1024) }
            }
            #expect(error?.isTimeout == true, "deadline \(d)")
        }
        stop.value = true
        try pair.server.setReadDeadline(nil)
        try pair.server.close()
        _ = await writer.result
    }

    @Test("deadlines set every 2 µs while reading and writing: no trap, no hang")
    func deadlineRaces() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let stop = Atomic(false)
        let writer = Task {
            let chunk = [UInt8](repeating: 1, count: 4096)
            var timeouts = 0
            while !stop.value {
                do { try await pair.server.write(chunk) } catch let e as NetError where e.isTimeout { timeouts += 1; await Task.yield() }
            }
            return timeouts
        }
        let reader = Task {
            var timeouts = 0
            while !stop.value {
                do { _ = try await pair.server.read(upToCount: 4096) } catch let e as NetError where e.isTimeout { timeouts += 1; await Task.yield() }
            }
            return timeouts
        }
        // An expired deadline fails without suspending, and Swift tasks are not preempted, so
        // every loop that retries after a failure yields, or it would starve the setters.
        let drain = Task { while !stop.value { if (try? await pair.client.read(upToCount: 64 * 1024)) == nil { await Task.yield() } } }
        let feed = Task { while !stop.value { try? await pair.client.write([UInt8](repeating: 2, count: 1024)) } }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<1000 {
                        try? pair.server.setDeadline(.after(.microseconds(2)))
                        try? await Task.sleep(for: .microseconds(2))
                    }
                }
            }
        }
        stop.value = true
        try pair.server.setDeadline(.now)
        try pair.client.setDeadline(.now)
        _ = await (writer.result, reader.result, drain.result, feed.result)
    }

    @Test("the timer heap stays as small as the live deadlines")
    func timerHeapCompacts() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        // A server that sets its idle deadline before every read pushes one timer per read.
        for _ in 0..<20_000 { try pair.server.setReadDeadline(.after(.seconds(60))) }
        #expect(Poller.shared.timerCount < 5_000)
    }
}

/// A tiny lock-protected flag for test tasks.
final class Atomic<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
