// The solution's accept loop, shared by the mistakes: each one changes only what happens on a
// connection.
import LessonKit
import NetCore

/// Listens, then runs `handle` in a task of its own for every connection.
func serveEachConnection(_ handle: @escaping @Sendable (TCPConn, Duration, Log) async -> Void) -> Never {
    LessonProgram.run(flags: [.idleTimeout]) { options, log in
        let idle = options.idleTimeout ?? .seconds(5)
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        try await serve(listener) { conn in await handle(conn, idle, log) }
    }
}

/// `closed ADDRESS after N bytes[: REASON]`, as the lesson asks.
func logClosed(_ conn: TCPConn, count: Int, error: (any Error)?, log: Log) {
    if let error {
        log.event("closed \(conn.remoteAddress) after \(count) bytes: \(Log.reason(error))")
    } else {
        log.event("closed \(conn.remoteAddress) after \(count) bytes")
    }
}
