// Lesson 2 — reference solution: accept, and hand every connection to a task of its own.
import LessonKit
import NetCore

LessonProgram.run { options, log in
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
            // At once: the accept loop does nothing else, so no client can hold it up.
            group.addTask { await echo(conn, log: log) }
        }
    }
}

/// Echoes everything `conn` sends until it closes its side, then closes it. Never throws, so
/// one client's reset cannot cancel its siblings.
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
