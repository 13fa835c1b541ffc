// Lesson 1 — reference solution: an accept loop that echoes, one connection at a time.
import LessonKit
import NetCore

LessonProgram.run { options, log in
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    while true {
        let conn: TCPConn
        do {
            conn = try await listener.accept()
        } catch let error as NetError where error.isTemporary {
            // Out of descriptors, say: it passes once a connection closes. Wait, then retry.
            log.error("accept: \(error.reason); retrying in 100ms")
            try await Task.sleep(for: .milliseconds(100))
            continue
        }
        await echo(conn, log: log)
    }
}

/// Echoes everything `conn` sends until it closes its side, then closes it; never throws, so
/// one client's trouble stays that client's.
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
