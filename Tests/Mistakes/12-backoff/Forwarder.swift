// The solution's forwarder, shared by the mistakes: each one changes one thing through `Variant`.
import LessonKit
import NetCore

#if canImport(Glibc)
import Glibc
#endif

/// What a mistake changes; the defaults are the solution's.
struct Variant: Sendable {
    var wait: @Sendable (_ failures: Int) -> Duration = Backoff.wait(after:)
    var isTransient: @Sendable (any Error) -> Bool = isTransientError
    var dialTimeout: Duration? = Backoff.dialTimeout
    var outboxLimit: Int? = Outbox.limit
    var watchesUpstream = true
}

func runForwarder(_ variant: Variant) -> Never {
    LessonProgram.run(flags: [.upstream]) { options, log in
        let upstream = options.upstream!
        let outbox = Outbox(limit: variant.outboxLimit)
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await keepForwarding(to: upstream, from: outbox, log: log, variant: variant) }
            group.addTask {
                try await serve(listener) { client in await readLines(from: client, into: outbox, log: log) }
            }
            // The first to end is the forwarder giving up on a permanent error: end the program.
            try await group.next()
            group.cancelAll()
        }
    }
}

/// The backoff rule of the README.
enum Backoff {
    static let first = Duration.milliseconds(100)
    static let cap = Duration.seconds(1)
    static let dialTimeout = Duration.seconds(1)
    /// A connection that stayed up this long was a success: losing it resets the backoff.
    static let stable = Duration.seconds(1)

    /// The wait after `failures` failures in a row (0 for the first): equal jitter, a random
    /// duration between half of min(cap, first · 2^failures) and all of it.
    static func wait(after failures: Int) -> Duration {
        let full = min(cap, first * (1 << min(failures, 20)))
        let ms = Int(full.components.seconds * 1000 + full.components.attoseconds / 1_000_000_000_000_000)
        return .milliseconds(Int.random(in: (ms / 2)...ms))
    }
}

/// The errors worth another try: the upstream may be back later. Anything else (the network is
/// unreachable, permission denied, an address this machine cannot use, a name that does not
/// resolve, our own closed connection) will fail the same way every time.
@Sendable func isTransientError(_ error: any Error) -> Bool {
    guard let net = error as? NetError else { return false }
    switch net.code {
    case .deadlineExceeded: return true
    case .system(let e): return [ECONNREFUSED, ECONNRESET, ECONNABORTED, ETIMEDOUT, EHOSTUNREACH, EPIPE].contains(e)
    default: return false
    }
}

/// `137ms`
func millis(_ d: Duration) -> String {
    "\(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)ms"
}

/// Keeps one connection to `address` and sends it the outbox's lines, for ever; throws only on
/// a permanent dial error.
func keepForwarding(to address: String, from outbox: Outbox, log: Log, variant: Variant) async throws {
    var failures = 0
    while true {
        let conn: TCPConn
        do {
            conn = try await TCPConn.dial(address, timeout: variant.dialTimeout)
        } catch {
            guard variant.isTransient(error) else {
                log.event("dial \(address) failed: \(Log.reason(error)); giving up")
                throw error
            }
            let wait = variant.wait(failures)
            failures += 1
            log.event("dial \(address) failed: \(Log.reason(error)); retrying in \(millis(wait))")
            try await Task.sleep(for: wait)
            continue
        }
        log.event("connected to \(address)")
        let connectedAt = ContinuousClock.now
        let reason = await forward(over: conn, from: outbox, log: log, watch: variant.watchesUpstream)
        try? conn.close()
        if ContinuousClock.now - connectedAt >= Backoff.stable {
            failures = 0
            log.event("lost \(address): \(reason); reconnecting")
        } else {
            let wait = variant.wait(failures)
            failures += 1
            log.event("lost \(address): \(reason); retrying in \(millis(wait))")
            try await Task.sleep(for: wait)
        }
    }
}

/// Sends lines until the connection fails, and returns why. A watcher reads the upstream all
/// the while, so that a connection that ends while there is nothing to send is noticed at once.
func forward(over conn: TCPConn, from outbox: Outbox, log: Log, watch: Bool) async -> String {
    let ended = Ended()
    let watcher = Task {
        guard watch else { return }
        do {
            while try await !conn.read(upToCount: 16 * 1024).isEmpty {}
            ended.set("EOF")
        } catch {
            ended.set(Log.reason(error))
        }
        try? conn.close()
        outbox.wake()
    }
    defer { watcher.cancel() }
    while ended.reason == nil {
        let (batch, dropped) = await outbox.take(upTo: 64 * 1024)
        if dropped > 0 { log.event("dropped \(dropped) lines: buffer full") }
        guard !batch.isEmpty else { continue }
        do {
            try await conn.write(Array(batch.joined()))
        } catch {
            outbox.putBack(batch)
            ended.set(Log.reason(error))
        }
    }
    return ended.reason ?? "closed"
}

/// Reads lines from one client into the outbox, each line whole.
func readLines(from client: TCPConn, into outbox: Outbox, log: Log) async {
    defer { try? client.close() }
    log.accepted(client.remoteAddress)
    var pending: [UInt8] = []
    do {
        while true {
            let bytes = try await client.read(upToCount: 32 * 1024)
            if bytes.isEmpty { break }
            pending += bytes
            // Every whole line of this read, pushed together: one lock and one wake-up a read.
            var lines: [[UInt8]] = []
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(Array(pending[start...newline]))
                start = newline + 1
            }
            pending.removeSubrange(..<start)
            outbox.push(lines)
            if pending.count > Outbox.maxLine { throw LineTooLong() }
        }
        log.closed(client.remoteAddress)
    } catch {
        log.closed(client.remoteAddress, error: error)
    }
}

struct LineTooLong: Error, CustomStringConvertible {
    var description: String { "line too long" }
}
