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
