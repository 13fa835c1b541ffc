#if canImport(Glibc)
import Glibc
#endif
import NetCore
import NetTLS
import Synchronization

/// What one connection's reading side has received: the bytes in order, how much of them
/// earlier `expect`s matched, and how the stream ended. Filled continuously by a reader task, so
/// a large `send` never blocks because nobody reads the reply.
///
/// Bounded, because the program under check may send without end (a loop that writes zeros): a
/// record keeps at most `unmatchedLimit` bytes that no `expect` has matched, and all records
/// together at most `totalUnmatchedLimit`; beyond that the reader stops reading until an
/// `expect` consumes some, and TCP's flow control holds the program back. Nothing is dropped
/// that an `expect` could still match. Matched bytes are let go of once they add up to a few
/// MiB (only their count is kept).
final class StreamRecord: Sendable {
    /// The most bytes one connection's record holds unmatched before its reader waits.
    static let unmatchedLimit = 16 << 20
    /// The most bytes all records together hold unmatched before every reader waits.
    static let totalUnmatchedLimit = 256 << 20
    /// Matched bytes kept before they are let go of.
    static let matchedKept = 4 << 20
    private static let totalUnmatched = Atomic<Int>(0)

    enum End: Sendable, Equatable {
        /// The peer half-closed or closed: read returned 0.
        case fin
        /// ECONNRESET.
        case reset
        /// Another read error (a TLS alert, …), in words.
        case error(String)
        /// netlab closed the connection itself.
        case local
    }

    struct State {
        /// Received bytes, from `dropped` on: `data[consumed...]` is what no expect matched.
        var data: [UInt8] = []
        var consumed = 0
        /// Matched bytes no longer kept.
        var dropped = 0
        var end: End?
        var endTime: ContinuousClock.Instant?
        var lastArrival: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    /// This record's limit: `unmatchedLimit`, or a smaller one in tests.
    let limit: Int

    init(limit: Int = StreamRecord.unmatchedLimit) {
        self.limit = limit
    }

    deinit {
        let left = state.withLock { $0.data.count - $0.consumed }
        StreamRecord.totalUnmatched.wrappingSubtract(left, ordering: .relaxed)
    }

    func append(_ bytes: [UInt8]) {
        state.withLock { s in
            s.data.append(contentsOf: bytes)
            s.lastArrival = .now
        }
        StreamRecord.totalUnmatched.wrappingAdd(bytes.count, ordering: .relaxed)
    }

    /// Marks `count` more bytes matched (under the lock), lets go of matched bytes once they
    /// are many, and keeps the process-wide count of unmatched bytes.
    private static func consume(_ count: Int, in s: inout State) {
        guard count > 0 else { return }
        s.consumed += count
        totalUnmatched.wrappingSubtract(count, ordering: .relaxed)
        if s.consumed >= matchedKept {
            s.data.removeFirst(s.consumed)
            s.dropped += s.consumed
            s.consumed = 0
        }
    }

    /// Whether this record, or all of them together, hold as many unmatched bytes as allowed.
    var isFull: Bool {
        unmatchedCount >= limit
            || StreamRecord.totalUnmatched.load(ordering: .relaxed) >= StreamRecord.totalUnmatchedLimit
    }

    /// Waits (polling every 5 ms; cancellation ends it) until there is room for more.
    func waitForRoom() async {
        while isFull, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    func finish(_ end: End) {
        state.withLock { s in
            if s.end == nil {
                s.end = end
                s.endTime = .now
            }
        }
    }

    /// How the stream stands, without copying its bytes.
    struct Status {
        var unmatched: Int
        var end: End?
        var endTime: ContinuousClock.Instant?
        var lastArrival: ContinuousClock.Instant?
    }

    var status: Status {
        state.withLock { s in Status(unmatched: s.data.count - s.consumed, end: s.end, endTime: s.endTime, lastArrival: s.lastArrival) }
    }

    enum PrefixMatch: Equatable {
        /// The unmatched bytes began with all of the expected ones, which are now consumed.
        case complete
        /// The first `Int` unmatched bytes agree with the expected ones; more may come.
        case partial(Int)
        /// The unmatched bytes differ from the expected ones at this offset.
        case mismatch(Int)
    }

    /// Looks for `expected` anywhere in the unmatched bytes, from offset `searched` on (earlier
    /// offsets were searched by an earlier call); on a find, consumes everything up to its end.
    /// Returns whether it found it and the offset to search from next time.
    func find(_ expected: [UInt8], searched: Int) -> (found: Bool, next: Int) {
        state.withLock { s in
            let available = s.data.count - s.consumed
            guard !expected.isEmpty else { return (true, 0) }
            guard available >= expected.count else { return (false, searched) }
            let last = available - expected.count
            let found: Int? = s.data.withUnsafeBufferPointer { data in
                expected.withUnsafeBufferPointer { want in
                    let base = s.consumed
                    let first = want[0]
                    var i = max(0, searched)
                    while i <= last {
                        if data[base + i] == first {
                            var j = 1
                            while j < want.count, data[base + i + j] == want[j] { j += 1 }
                            if j == want.count { return i }
                        }
                        i += 1
                    }
                    return nil
                }
            }
            if let found {
                StreamRecord.consume(found + expected.count, in: &s)
                return (true, 0)
            }
            return (false, last + 1)
        }
    }

    /// Compares the unmatched bytes with `expected`, starting at offset `checked` (bytes before it
    /// were compared by an earlier call), without copying; consumes them on a complete match.
    func matchPrefix(_ expected: [UInt8], checked: Int) -> (PrefixMatch, End?) {
        state.withLock { s in
            let available = s.data.count - s.consumed
            let n = min(expected.count, available)
            var i = min(checked, n)
            while i < n {
                if s.data[s.consumed + i] != expected[i] { return (.mismatch(i), s.end) }
                i += 1
            }
            if available >= expected.count {
                StreamRecord.consume(expected.count, in: &s)
                return (.complete, s.end)
            }
            return (.partial(n), s.end)
        }
    }

    /// The bytes no `expect` has matched yet.
    var unmatched: ArraySlice<UInt8> { state.withLock { s in s.data[s.consumed...] } }
    var unmatchedCount: Int { state.withLock { $0.data.count - $0.consumed } }
    /// The first `count` bytes no `expect` has matched (fewer when fewer have arrived).
    func unmatchedPrefix(_ count: Int) -> [UInt8] {
        state.withLock { s in Array(s.data[s.consumed..<min(s.data.count, s.consumed + max(0, count))]) }
    }
    /// Every byte received, matched ones let go of included.
    var totalCount: Int { state.withLock { $0.dropped + $0.data.count } }
    var end: (End, ContinuousClock.Instant)? { state.withLock { s in s.end.map { ($0, s.endTime ?? .now) } } }

    /// Marks `count` more bytes as matched.
    func consume(_ count: Int) {
        state.withLock { s in StreamRecord.consume(min(s.data.count - s.consumed, count), in: &s) }
    }

    /// Reads `conn` until it ends, recording everything; with `echo`, writes each piece back and
    /// half-closes after the peer's FIN. `onEnd` hears how it ended; `onFull` hears, once, that
    /// reading stopped for a while because the record was full.
    static func pump(
        _ conn: any Conn, into record: StreamRecord, echo: Bool = false,
        onData: (@Sendable ([UInt8]) -> Void)? = nil,
        onFull: (@Sendable (Int) -> Void)? = nil,
        onEnd: (@Sendable (End) -> Void)? = nil
    ) async {
        let end: End
        var toldFull = false
        do {
            while true {
                let bytes = try await conn.read(upToCount: 65536)
                if bytes.isEmpty {
                    end = .fin
                    break
                }
                record.append(bytes)
                onData?(bytes)
                if echo { try await conn.write(bytes) }
                if record.isFull {
                    if !toldFull { onFull?(record.unmatchedCount) }
                    toldFull = true
                    await record.waitForRoom()
                }
            }
        } catch let error as NetError {
            switch error.code {
            case .closed, .canceled: end = .local
            default: end = error.isConnectionReset ? .reset : .error(error.reason)
            }
        } catch let error as TLSError {
            let text = "\(error)"
            end = text.contains("reset") ? .reset : .error(text)
        } catch {
            end = .error("\(error)")
        }
        record.finish(end)
        onEnd?(end)
        if echo, end == .fin {
            if let half = conn as? any HalfClosable { try? half.closeWrite() }
        }
    }
}

extension StreamRecord.End {
    /// `FIN`, `RST`, …, for transcripts.
    var words: String {
        switch self {
        case .fin: "eof (FIN)"
        case .reset: "reset (RST)"
        case .error(let text): "error: \(text)"
        case .local: "closed by netlab"
        }
    }
}
