// Lesson 3 — Timeouts. Read it with `netlab lesson 3`; check with `netlab check 3`.
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type (`enum Limits { static let … }`); functions and types are fine.
import LessonKit
import NetCore

LessonProgram.run(flags: [.idleTimeout]) { options, log in
    let idle = options.idleTimeout ?? .seconds(5)
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    try await withThrowingDiscardingTaskGroup { group in
        while true {
            let conn: TCPConn
            do {
                conn = try await listener.accept()
            } catch let error as NetError where error.isTemporary {
                log.error("accept: \(error.reason); retrying in 100ms")
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            group.addTask { await echo(conn, idle: idle, log: log) }
        }
    }
}

/// Echoes what `conn` sends until it closes its side, then closes it. Never throws.
func echo(_ conn: TCPConn, idle: Duration, log: Log) async {
    defer { try? conn.close() }
    let peer = conn.remoteAddress
    log.accepted(peer)
    // TODO: copy has no idea when a client is idle, so it waits forever. Replace it with a
    // loop: set a read deadline of now + idle before every read, a write deadline before every
    // write, and log "closed ADDRESS after N bytes" (plus ": REASON" after an error).
    do {
        let count = try await copy(from: conn, to: conn)
        log.event("closed \(peer) after \(count) bytes")
    } catch let error as NetError {
        log.event("closed \(peer) after \(error.bytesTransferred) bytes: \(error.reason)")
    } catch {
        log.event("closed \(peer): \(error)")
    }
}
