// Lesson 12 — Dial with a timeout, retry with backoff. Read it with `netlab lesson 12`; check
// with `netlab check 12`.
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type (`enum Backoff { static let … }`); functions and types are fine.
import LessonKit
import NetCore

#if canImport(Glibc)
import Glibc
#endif

LessonProgram.run(flags: [.upstream]) { options, log in
    let upstream = options.upstream!
    let outbox = Outbox()
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await keepForwarding(to: upstream, from: outbox, log: log) }
        group.addTask {
            try await serve(listener) { client in await readLines(from: client, into: outbox, log: log) }
        }
        // The first to end is the forwarder giving up on a permanent error: end the program.
        try await group.next()
        group.cancelAll()
    }
}

/// Keeps one connection to `address` and sends it the outbox's lines, for ever; throws only on
/// a permanent dial error.
func keepForwarding(to address: String, from outbox: Outbox, log: Log) async throws {
    // TODO: the lesson.
    // - Dial with a timeout of 1s; log `connected to ADDR`.
    // - Send lines: `await outbox.take(upTo: 64 * 1024)` gives whole lines (and how many were
    //   dropped since last time: log `dropped N lines: buffer full` when that is not 0).
    //   Put a batch whose write failed back with `outbox.putBack(batch)`.
    // - Read from the upstream in a task of its own, so that you notice when it goes away;
    //   call `outbox.wake()` then, so that a `take` waiting for lines returns (with none).
    // - On a transient error, log `dial ADDR failed: REASON; retrying in Nms` (or
    //   `lost ADDR: REASON; …`), wait as the README's backoff rule says, and go round again.
    // - On a permanent one, log `dial ADDR failed: REASON; giving up` and throw.
    try await Task.sleep(for: .seconds(3600))
}

/// Reads lines from one client into the outbox, each line whole.
func readLines(from client: TCPConn, into outbox: Outbox, log: Log) async {
    defer { try? client.close() }
    log.accepted(client.remoteAddress)
    var pending: [UInt8] = []
    do {
        while true {
            // 32 KiB at a time: a read costs a system call, however few bytes it brings.
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
