import Foundation
import Testing
@testable import NetCore

/// A deadline moved later leaves the timer armed for the earlier one, which re-arms itself when
/// it fires (Go's `timerModifiedLater`). These prove the deadline still means what it says in
/// every order of moves. Each timing bound is either a lower one (a busy machine only makes a
/// timeout later) or leaves seconds of room.
@Suite("Deadlines moved later and earlier", .timeLimit(.minutes(1)))
struct MovedDeadlineTests {
    @Test("a deadline moved later expires at the later time, not when the first timer fires", arguments: ConnKind.allCases)
    func movedLaterExpiresLater(kind: ConnKind) async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let server = kind.wrap(pair.server)
        let start = ContinuousClock.now
        try server.setReadDeadline(.after(.milliseconds(100)))
        try server.setReadDeadline(.after(.milliseconds(900)))
        await expectNetError(.deadlineExceeded) { _ = try await server.read(upToCount: 10) }
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(880) && waited < .seconds(10), "timed out after \(waited)")
    }

    @Test("a deadline moved earlier expires at the earlier time")
    func movedEarlierExpiresEarlier() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let start = ContinuousClock.now
        try pair.server.setReadDeadline(.after(.seconds(30)))
        try pair.server.setReadDeadline(.after(.milliseconds(200)))
        await expectNetError(.deadlineExceeded) { _ = try await pair.server.read(upToCount: 10) }
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(190) && waited < .seconds(10), "timed out after \(waited)")
    }

    @Test("moved later, then cleared: the armed timer fires and expires nothing")
    func movedLaterThenCleared() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        try pair.server.setReadDeadline(.after(.milliseconds(50)))
        try pair.server.setReadDeadline(.after(.milliseconds(150)))
        try pair.server.setReadDeadline(nil)
        let reader = Task { try await pair.server.readExactly(4) }
        // Past both timers, by far.
        try await Task.sleep(for: .milliseconds(800))
        try await pair.client.write("late")
        #expect(try await reader.value == Array("late".utf8))
    }

    @Test("an idle deadline pushed forward before every read never expires while the peer talks")
    func idleTimeoutKeptAlive() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        let idle = Duration.seconds(2)
        let echo = Task { () -> Result<Int, any Error> in
            var rounds = 0
            do {
                while true {
                    try pair.server.setReadDeadline(.after(idle))
                    let bytes = try await pair.server.read(upToCount: 64)
                    if bytes.isEmpty { return .success(rounds) }
                    rounds += 1
                }
            } catch {
                return .failure(error)
            }
        }
        // Fifteen sends 200 ms apart: 3 s in all, longer than the idle timeout, so the first
        // timer armed fires while the peer still talks and must re-arm, not expire.
        var longestGap = Duration.zero
        var last = ContinuousClock.now
        for _ in 0..<15 {
            try await pair.client.write("x")
            let now = ContinuousClock.now
            longestGap = max(longestGap, now - last)
            last = now
            try await Task.sleep(for: .milliseconds(200))
        }
        longestGap = max(longestGap, ContinuousClock.now - last)
        try pair.client.closeWrite()
        switch await echo.value {
        case .success(let rounds):
            #expect(rounds == 15)
        case .failure(let error):
            // A machine so busy that the client itself went quiet for the whole idle timeout
            // proves nothing either way; with every gap well under it, a timeout is the bug.
            #expect(longestGap >= idle, "timed out with the longest quiet gap \(longestGap): \(error)")
        }
    }

    @Test("expired, then moved into the future: I/O works again and the new deadline holds")
    func expiredThenMovedLater() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        try pair.server.setReadDeadline(.after(.milliseconds(20)))
        await expectNetError(.deadlineExceeded) { _ = try await pair.server.read(upToCount: 10) }
        let start = ContinuousClock.now
        try pair.server.setReadDeadline(.after(.milliseconds(700)))
        await expectNetError(.deadlineExceeded) { _ = try await pair.server.read(upToCount: 10) }
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(680) && waited < .seconds(10), "timed out after \(waited)")
    }

    @Test("pushing a deadline forward 20,000 times arms no new timer")
    func extensionsArmNothing() async throws {
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        try pair.server.setReadDeadline(.after(.seconds(60)))
        // Each later deadline finds the armed timer no later than itself: nothing to push. The
        // count is the process's, and other suites arm timers meanwhile (a loop that sets a
        // deadline every 2 µs arms thousands), so the fewest of three batches is what counts:
        // the old behaviour armed 20,000 in every batch.
        var fewest = Int.max
        for batch in 0..<3 where fewest >= 1_000 {
            let before = Poller.shared.timersArmed
            for i in 0..<20_000 { try pair.server.setReadDeadline(.after(.seconds(60) + .milliseconds(batch) + .microseconds(i))) }
            fewest = min(fewest, Poller.shared.timersArmed - before)
        }
        #expect(fewest < 1_000, "\(fewest) timers armed in the quietest batch of 20,000 extensions")
        // An earlier one does arm a timer.
        let earlier = Poller.shared.timersArmed
        try pair.server.setReadDeadline(.after(.seconds(30)))
        #expect(Poller.shared.timersArmed > earlier)
    }

    @Test("deadlines past any clock: set, moved later, moved earlier, and waited on alone, without a trap")
    func deadlinesPastAnyClock() async throws {
        #expect(Duration.seconds(Int64.max).nanosecondsClamped == .max)
        #expect((Duration.seconds(Int64.max) + .seconds(Int64.max)).nanosecondsClamped == .max)
        #expect((Duration.zero - .seconds(Int64.max) - .seconds(Int64.max)).nanosecondsClamped == .min)
        #expect(Duration.milliseconds(1500).nanosecondsClamped == 1_500_000_000)
        let pair = try await Pair.make()
        defer { pair.closeAll() }
        try pair.server.setReadDeadline(.after(.seconds(Int64.max)))
        try pair.server.setReadDeadline(.after(.seconds(Int64.max)) + .seconds(Int64.max))
        try pair.server.setReadDeadline(.after(.milliseconds(100)))
        await expectNetError(.deadlineExceeded) { _ = try await pair.server.read(upToCount: 1) }
        try pair.server.setReadDeadline(.after(.seconds(Int64.max)))
        let reader = Task { try await pair.server.readExactly(2) }
        try await Task.sleep(for: .milliseconds(100))
        try await pair.client.write("ok")
        #expect(try await reader.value == Array("ok".utf8))
    }
}
