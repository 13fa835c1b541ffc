import Synchronization

/// The lines on their way upstream, oldest first: at most `limit` bytes, so that an upstream
/// that stays away costs a bounded amount of memory. A line that does not fit is dropped and
/// counted.
final class Outbox: Sendable {
    /// The most bytes of lines held.
    static let limit = 1 << 20
    /// The longest line a client may send.
    static let maxLine = 64 * 1024

    private struct State {
        var lines: [[UInt8]] = []
        var head = 0
        var bytes = 0
        var dropped = 0
        var woken = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())
    /// nil: no limit (a mistake).
    private let limitBytes: Int?

    init(limit: Int? = Outbox.limit) { limitBytes = limit }

    /// Adds the lines of one read, in order; each line that does not fit is dropped.
    func push(_ lines: [[UInt8]]) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            for line in lines {
                guard limitBytes.map({ s.bytes + line.count <= $0 }) ?? true else {
                    s.dropped += 1
                    continue
                }
                s.lines.append(line)
                s.bytes += line.count
            }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Puts lines back at the front, in order, after a write of them failed.
    func putBack(_ batch: [[UInt8]]) {
        state.withLock { s in
            s.lines.replaceSubrange(s.lines.startIndex..<s.head, with: [])
            s.head = 0
            s.lines.insert(contentsOf: batch, at: 0)
            s.bytes += batch.reduce(0) { $0 + $1.count }
        }
    }

    /// Wakes `take` even with nothing to take: the connection has ended.
    func wake() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.woken = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Whole lines of at most `max` bytes together (at least one line), and how many lines were
    /// dropped since the last call; waits while there are none. Returns no lines when woken.
    func take(upTo max: Int) async -> ([[UInt8]], dropped: Int) {
        while true {
            if let taken = takeNow(upTo: max) { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { s in
                    if s.head < s.lines.count || s.woken { return true }
                    s.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    private func takeNow(upTo max: Int) -> ([[UInt8]], dropped: Int)? {
        state.withLock { s in
            if s.woken {
                s.woken = false
                return ([], s.dropped)
            }
            guard s.head < s.lines.count else { return nil }
            var batch: [[UInt8]] = []
            var size = 0
            while s.head < s.lines.count, batch.isEmpty || size + s.lines[s.head].count <= max {
                size += s.lines[s.head].count
                batch.append(s.lines[s.head])
                s.head += 1
            }
            s.bytes -= size
            if s.head > 1024, s.head * 2 > s.lines.count {
                s.lines.removeFirst(s.head)
                s.head = 0
            }
            defer { s.dropped = 0 }
            return (batch, s.dropped)
        }
    }
}

/// Why a connection ended: set once, by whichever side notices first.
final class Ended: Sendable {
    private let state = Mutex<String?>(nil)
    func set(_ reason: String) { state.withLock { if $0 == nil { $0 = reason } } }
    var reason: String? { state.withLock { $0 } }
}
