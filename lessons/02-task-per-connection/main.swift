// Lesson 2 — One task per connection. Read it with `netlab lesson 2`; check with `netlab check 2`.
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type (`enum Limits { static let … }`); functions and types are fine.
import LessonKit
import NetCore

LessonProgram.run { options, log in
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    // TODO: this loop serves one client at a time. Give every connection a task of its own,
    // started right after accept (withDiscardingTaskGroup and group.addTask).
    while true {
        let conn: TCPConn
        do {
            conn = try await listener.accept()
        } catch let error as NetError where error.isTemporary {
            log.error("accept: \(error.reason); retrying in 100ms")
            try await Task.sleep(for: .milliseconds(100))
            continue
        }
        await echo(conn, log: log)
    }
}

/// Echoes everything `conn` sends until it closes its side, then closes it. Never throws.
func echo(_ conn: TCPConn, log: Log) async {
    defer { try? conn.close() }
    let peer = conn.remoteAddress
    log.accepted(peer)
    do {
        let count = try await copy(from: conn, to: conn)
        log.event("closed \(peer) after \(count) bytes")
    } catch let error as NetError {
        log.event("closed \(peer) after \(error.bytesTransferred) bytes: \(error.reason)")
    } catch {
        log.event("closed \(peer): \(error)")
    }
}
