// The program's settings, and the pieces of a connection's life that lesson 13 gave. Given: the
// lesson (the connection's tasks, the accept loop and the shutdown) is in main.swift.
import LessonKit
import NetCore

/// The program's settings, from its flags.
struct Settings: Sendable {
    static let flags = [
        Flag("read-limit", .integer, help: "close a client whose message is over N bytes, with 1009 (default 4096)"),
        Flag("send-queue", .integer, help: "messages queued for a client before it is dropped as too slow (default 16)"),
        Flag("ping-interval", .duration, help: "ping every client this often (default 10s)"),
        Flag("pong-timeout", .duration, help: "close a client silent this long after a ping (default 5s)"),
        Flag("grace", .duration, help: "after SIGTERM, how long connections get to finish before they are cancelled (default 5s)"),
    ]

    var readLimit: Int
    var sendQueue: Int
    var pingInterval: Duration
    var pongTimeout: Duration
    var grace: Duration

    init(_ options: Options) {
        readLimit = options.integer("read-limit") ?? 4096
        sendQueue = options.integer("send-queue") ?? 16
        pingInterval = options.duration("ping-interval") ?? .seconds(10)
        pongTimeout = options.duration("pong-timeout") ?? .seconds(5)
        grace = options.duration("grace") ?? .seconds(5)
        if readLimit < 1 { LessonProgram.usageError("--read-limit must be at least 1") }
        if sendQueue < 1 { LessonProgram.usageError("--send-queue must be at least 1") }
        if pingInterval <= .zero { LessonProgram.usageError("--ping-interval must be more than 0") }
        if pongTimeout <= .zero { LessonProgram.usageError("--pong-timeout must be more than 0") }
        if grace < .zero { LessonProgram.usageError("--grace must not be negative") }
    }
}

/// Pings the client every `pingInterval`, until cancelled. The reader sees to the pong deadline.
func keepAlive(_ client: Client, settings: Settings) async {
    while true {
        do { try await Task.sleep(for: settings.pingInterval) } catch { return }
        client.ping(pongTimeout: settings.pongTimeout)
    }
}

/// Ends our side (FIN) and reads what the client still sends, for at most 1 s, before the
/// close: closing a socket with unread bytes sends a reset, which can destroy the close frame
/// we just wrote before the client reads it.
func lingeringClose(_ conn: some HalfClosable) async {
    try? conn.closeWrite()
    try? conn.setReadDeadline(.after(.seconds(1)))
    var discarded = 0
    while discarded < 4 << 20, let chunk = try? await conn.read(upToCount: 64 * 1024), !chunk.isEmpty {
        discarded += chunk.count
    }
}

/// Ends the connection after a read failed: a silent peer, the end of the stream, a reset.
func endAfterReadError(_ client: Client, _ error: any Error, log: Log) {
    guard client.ending == nil else { return }  // someone else ended it (and woke this read)
    if let error = error as? NetError, error.isTimeout, client.pingOutstanding {
        log.event("timeout \(client.peer): no pong")
        client.end(.noPong)
    } else if let error = error as? NetError, error.code == .unexpectedEOF {
        client.end(.failed("the connection ended without a close frame"))
    } else {
        client.end(.failed(Log.reason(error)))
    }
}
