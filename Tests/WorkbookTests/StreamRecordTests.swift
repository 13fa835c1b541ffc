@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
import NetCore
@testable import NetlabCommandLine
import Testing
@testable import Workbook

@Suite("StreamRecord: bounded, and nothing an expect could match is lost", .timeLimit(.minutes(1)))
struct StreamRecordTests {
    @Test("a flood stops being read at the per-connection limit, and reading resumes once expects consume")
    func floodIsHeldBack() async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        defer { try? listener.close() }
        async let accepted = listener.accept()
        let client = try await TCPConn.dial(listener.address.description, timeout: .seconds(10))
        let server = try await accepted
        defer {
            try? client.close()
            try? server.close()
        }
        // A 1 MiB limit and 4 MiB of data keep this quick in a debug build (it runs on the
        // cooperative pool, beside every other test). The matched bytes are let go of at 4 MiB,
        // so the record also sheds them on the way.
        let limit = 1 << 20
        let total = 4 * limit + 12345
        let payload = xorshiftBytes(total)
        let sender = Task {
            try server.setWriteDeadline(.after(.seconds(30)))
            try await server.write(payload)
            try server.closeWrite()
        }
        let record = StreamRecord(limit: limit)
        let fullReports = Locked(0)
        let reader = Task {
            await StreamRecord.pump(client, into: record, onFull: { _ in fullReports.withLock { $0 += 1 } }, onEnd: { _ in })
        }

        // The reader fills the record to the limit and stops: the sender cannot finish.
        let start = ContinuousClock.now
        while !record.isFull, ContinuousClock.now - start < .seconds(20) { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(record.unmatchedCount >= limit)
        #expect(record.unmatchedCount < limit + 65536, "one read past the limit at most")
        #expect(fullReports.withLock { $0 } == 1, "the pause was reported once")

        // Expects consume, in pieces, everything in order: the rest arrives, none of it lost.
        var matched = 0
        while matched < total, ContinuousClock.now - start < .seconds(40) {
            let available = record.unmatchedCount
            if available == 0 {
                try await Task.sleep(for: .milliseconds(2))
                continue
            }
            let piece = min(available, 256 * 1024, total - matched)
            let (match, _) = record.matchPrefix(Array(payload[matched..<(matched + piece)]), checked: 0)
            #expect(match == .complete, "bytes \(matched)..<\(matched + piece) arrived in order")
            if match != .complete { break }
            matched += piece
        }
        #expect(matched == total)
        try await sender.value
        await reader.value
        #expect(record.end?.0 == .fin)
        #expect(record.totalCount == total, "the count includes the matched bytes let go of")
        #expect(record.unmatchedCount == 0)
    }
}

/// `count` pseudo-random bytes (xorshift32), quick to make in a debug build.
func xorshiftBytes(_ count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { raw in
        var x: UInt32 = 2_463_534_242
        for i in 0..<raw.count {
            x ^= x << 13
            x ^= x >> 17
            x ^= x << 5
            raw[i] = UInt8(truncatingIfNeeded: x)
        }
    }
    return bytes
}

/// A value behind a lock, for tests.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
