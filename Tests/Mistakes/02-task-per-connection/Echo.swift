// The solution's echo, shared by the mistakes that do not change it.
import LessonKit
import NetCore

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

/// The solution's server: a task per connection in a discarding group, with `retry` deciding
/// what happens after a temporary accept error (the solution logs it and sleeps 100 ms).
func serveWithTasks(retry: @escaping @Sendable (NetError, Log) async throws -> Void) -> Never {
    LessonProgram.run { options, log in
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        try await withThrowingDiscardingTaskGroup { group in
            while true {
                let conn: TCPConn
                do {
                    conn = try await listener.accept()
                } catch let error as NetError where error.isTemporary {
                    try await retry(error, log)
                    continue
                }
                group.addTask { await echo(conn, log: log) }
            }
        }
    }
}
