// Lesson 3 — reference solution: an echo with an idle timeout on every read and write.
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

/// Echoes what `conn` sends until it closes its side, goes quiet for `idle`, or stops reading
/// for `idle`; then closes it and logs why. Never throws.
func echo(_ conn: TCPConn, idle: Duration, log: Log) async {
    defer { try? conn.close() }
    let peer = conn.remoteAddress
    log.accepted(peer)
    var count = 0
    do {
        while true {
            try conn.setReadDeadline(.after(idle))  // before every read: an idle timeout
            let bytes = try await conn.read(upToCount: 32 * 1024)
            if bytes.isEmpty { break }
            try conn.setWriteDeadline(.after(idle))  // a client that never reads is cut off too
            try await conn.write(bytes)
            count += bytes.count
        }
        log.event("closed \(peer) after \(count) bytes")
    } catch let error as NetError {
        log.event("closed \(peer) after \(count + error.bytesTransferred) bytes: \(error.reason)")
    } catch {
        log.event("closed \(peer): \(error)")
    }
}
