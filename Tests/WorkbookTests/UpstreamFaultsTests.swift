@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
import NetCore
import Testing

/// `upstream sink as up down for T reset first N close after SIZE`, `expect up wait N …` and
/// `expect up waits backoff …`: parsing, the backoff judgement, and the upstreams themselves.
@Suite("Upstream faults and waits")
struct UpstreamFaultsTests {
    @Test func parsesFaults() throws {
        let script = try parseOK(
            """
            upstream sink as up down for 1500ms reset first 6 close after 1KiB
            upstream echo as plain
            start --listen {listen} --upstream {up.addr}
            check "c"
              expect up connections >= 7 within 6s
              expect up wait 1 >= 40ms within 2s
              expect up waits backoff 100ms cap 1s jitter equal within 3s
            """)
        #expect(script.upstreams[0].faults == UpstreamFaults(downFor: .milliseconds(1500), resetFirst: 6, closeAfter: 1024))
        #expect(script.upstreams[1].faults.isEmpty)
        let steps = script.checks[0].steps
        guard case .expectUpstream(let one) = steps[1], case .waits(.one(let index, let comparison, let within)) = one.condition else {
            Issue.record("not a wait: \(steps[1])")
            return
        }
        #expect(index == 1 && comparison.op == .greaterOrEqual && within == .seconds(2))
        guard case .expectUpstream(let all) = steps[2], case .waits(.backoff(let rule, let bound)) = all.condition else {
            Issue.record("not a backoff: \(steps[2])")
            return
        }
        #expect(rule == WaitExpectation.Backoff(first: .milliseconds(100), cap: .seconds(1), jitter: .equal))
        #expect(bound == .seconds(3))
    }

    @Test func errorsNameLineAndColumn() {
        #expect(
            firstError("upstream refuse as up down for 1s\nstart --listen {listen}\ncheck \"c\"\n")?
                .hasPrefix("checks.netlab:1:23: error: unexpected `down`; `refuse` upstreams take no options (`down for`") == true)
        #expect(firstError("upstream sink as up down 1s\nstart --listen {listen}\ncheck \"c\"\n")?.hasPrefix("checks.netlab:1:26: error:") == true)
        #expect(
            firstError("upstream sink as up reset first 0\nstart --listen {listen}\ncheck \"c\"\n")?.contains("1:33: error: `0` is too small") == true
        )
        #expect(
            firstError("upstream sink as up close after 1s\nstart --listen {listen}\ncheck \"c\"\n")?.hasPrefix("checks.netlab:1:33: error:") == true)
        #expect(
            firstError("upstream sink as up reset first 2 reset first 3\nstart --listen {listen}\ncheck \"c\"\n")?
                .contains("1:35: error: `reset` given twice") == true)
        let header = "upstream sink as up\nstart --listen {listen}\ncheck \"c\"\n"
        #expect(firstError(header + "  expect up waits backoff 100ms jitter equal\n")?.contains("4:27: error: `waits backoff` needs `cap`") == true)
        #expect(firstError(header + "  expect up waits backoff 100ms cap 1s\n")?.contains("4:27: error: `waits backoff` needs `jitter") == true)
        #expect(
            firstError(header + "  expect up waits backoff 1s cap 100ms jitter none\n")?.contains("4:34: error: the cap (100ms) is shorter") == true)
        #expect(firstError(header + "  expect up waits backoff 100ms cap 1s jitter some\n")?.contains("4:47: error:") == true)
        #expect(firstError(header + "  expect up wait 0 >= 1ms\n")?.contains("4:18: error: `0` is too small") == true)
        #expect(firstError(header + "  expect up wait 1 >= 3\n")?.contains("4:23: error:") == true)
        #expect(firstError(header + "  expect up waits >= 3ms\n")?.contains("4:19: error: unexpected `>=`; expected `backoff`") == true)
    }

    // MARK: The backoff judgement

    let rule = WaitExpectation.Backoff(first: .milliseconds(100), cap: .seconds(1), jitter: .equal)

    @Test func delaysDoubleUpToTheCap() {
        #expect((0..<7).map { rule.delay($0) } == [100, 200, 400, 800, 1000, 1000, 1000].map { .milliseconds($0) })
        #expect(rule.delay(10_000) == .seconds(1))
        #expect(rule.bounds(2) == .milliseconds(190)...(.milliseconds(800)))
    }

    @Test func judgesWaits() {
        let ms: ([Int]) -> [Duration] = { $0.map { .milliseconds($0) } }
        // A jittered program: every wait in range, some well under its delay.
        #expect(CheckExecution.judge(ms([83, 152, 301, 777, 640, 910]), rule) == nil)
        // No pause at all.
        #expect(CheckExecution.judge(ms([0, 1, 0, 1, 0, 1]), rule)?.hasPrefix("wait 1 was 0ms, too short") == true)
        // No backoff: a fixed 100 ms.
        #expect(CheckExecution.judge(ms([100, 100, 100, 100]), rule)?.hasPrefix("wait 3 was 100ms, too short") == true)
        // No cap.
        #expect(CheckExecution.judge(ms([90, 180, 350, 700, 1500, 3100]), rule)?.hasPrefix("wait 6 was 3100ms, too long") == true)
        // No jitter: each wait its full delay, plus a little.
        let flat = CheckExecution.judge(ms([101, 202, 401, 803, 1004, 1002]), rule)
        #expect(flat?.hasPrefix("no jitter: each of waits 2, 3, 4, 5, 6 was at least 90% of its full delay") == true)
        // The same waits pass a rule without jitter.
        #expect(
            CheckExecution.judge(
                ms([101, 202, 401, 803, 1004, 1002]), WaitExpectation.Backoff(first: .milliseconds(100), cap: .seconds(1), jitter: .none)) == nil)
        // Too few waits to judge jitter.
        #expect(CheckExecution.judge(ms([90]), rule)?.hasPrefix("no wait so far has a full delay of 200ms") == true)
    }

    // MARK: The upstreams

    @Test(.timeLimit(.minutes(1)))
    func resetFirstRecordsWaits() async throws {
        let peer = try UpstreamPeer(
            name: "up", kind: .sink, faults: UpstreamFaults(resetFirst: 2), tls: nil, transcript: Transcript(origin: .now))
        defer { peer.stop() }
        for pause in [0, 60, 150] {
            try await Task.sleep(for: .milliseconds(pause))
            // On loopback the reset can come before the dial has looked at its socket: then the
            // dial itself fails with it.
            let conn: TCPConn
            do {
                conn = try await TCPConn.dial(peer.address, timeout: .seconds(2))
            } catch let error as NetError where error.isConnectionReset && pause < 150 {
                continue
            }
            defer { try? conn.close() }
            if pause < 150 {
                // Reset at once: the read ends with a reset, not a timeout (the deadline only
                // bounds the test; on a busy machine the upstream's accept may lag).
                try conn.setReadDeadline(.after(.seconds(10)))
                await #expect { _ = try await conn.read(upToCount: 10) } throws: { ($0 as? NetError)?.isConnectionReset == true }
            } else {
                // The third is kept: nothing comes, and the read times out.
                try conn.setReadDeadline(.after(.milliseconds(300)))
                await #expect { _ = try await conn.read(upToCount: 10) } throws: { ($0 as? NetError)?.isTimeout == true }
            }
        }
        let waits = peer.waits()
        try #require(waits.count == 2, "\(waits)")
        // Each wait runs from the reset to the next connection: at least the pause that came
        // between them (upper bounds would measure the machine's load, not the upstream).
        #expect(waits[0] >= .milliseconds(60), "\(waits)")
        #expect(waits[1] >= .milliseconds(150), "\(waits)")
    }

    @Test(.timeLimit(.minutes(1)))
    func downForRefusesThenListens() async throws {
        let peer = try UpstreamPeer(
            name: "late", kind: .sink, faults: UpstreamFaults(downFor: .seconds(3)), tls: nil,
            transcript: Transcript(origin: .now))
        defer { peer.stop() }
        await #expect { _ = try await TCPConn.dial(peer.address, timeout: .seconds(1)) } throws: {
            ($0 as? NetError)?.isConnectionRefused == true
        }
        #expect(peer.connections.isEmpty)
        // It listens once its 3 s are over: dial until it does (a busy machine may start it
        // late), refused meanwhile.
        let until = ContinuousClock.now + .seconds(20)
        var dialled: TCPConn?
        while dialled == nil, ContinuousClock.now < until {
            do {
                dialled = try await TCPConn.dial(peer.address, timeout: .seconds(2))
            } catch let error as NetError where error.isConnectionRefused {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let conn = try #require(dialled, "the upstream never came up")
        defer { try? conn.close() }
        try await conn.write(Array("late\n".utf8))
        let deadline = ContinuousClock.now + .seconds(20)
        while peer.connections.first?.record.status.unmatched != 5, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(peer.connections.count == 1)
        #expect(peer.connections.first?.record.status.unmatched == 5)
    }

    @Test(.timeLimit(.minutes(1)))
    func closeAfterEndsTheFirstKeptConnectionOnly() async throws {
        let peer = try UpstreamPeer(
            name: "up", kind: .sink, faults: UpstreamFaults(closeAfter: 6), tls: nil, transcript: Transcript(origin: .now))
        defer { peer.stop() }
        let first = try await TCPConn.dial(peer.address, timeout: .seconds(2))
        defer { try? first.close() }
        try await first.write(Array("line1\n".utf8))
        try first.setReadDeadline(.after(.seconds(20)))  // bounds the test; a busy CI took over 3 s
        #expect(try await first.read(upToCount: 10).isEmpty, "the upstream closed with a FIN after 6 bytes")
        let second = try await TCPConn.dial(peer.address, timeout: .seconds(2))
        defer { try? second.close() }
        try await second.write(Array("line2\nline3\n".utf8))
        try second.setReadDeadline(.after(.milliseconds(300)))
        await #expect { _ = try await second.read(upToCount: 10) } throws: { ($0 as? NetError)?.isTimeout == true }
        #expect(peer.connections.count == 2)
        #expect(peer.waits().count == 1)
    }
}
