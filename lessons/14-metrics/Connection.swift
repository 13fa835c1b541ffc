// One connection's life after the accept, and the program's settings: lesson 13's, with the
// metrics kept up to date. Given: the lesson is in main.swift.
import LessonKit
import NetCore

/// The program's settings, from its flags.
struct Settings: Sendable {
    static let flags = [
        Flag("metrics-listen", .address, help: "address to serve GET /metrics on (Prometheus's text format)", required: true),
        Flag("name", .text, help: "the server's name, in chat_server_info (default chat)"),
        Flag("read-limit", .integer, help: "close a client whose message is over N bytes, with 1009 (default 4096)"),
        Flag("send-queue", .integer, help: "messages queued for a client before it is dropped as too slow (default 16)"),
        Flag("ping-interval", .duration, help: "ping every client this often (default 10s)"),
        Flag("pong-timeout", .duration, help: "close a client silent this long after a ping (default 5s)"),
    ]

    var metricsListen: String
    var name: String
    var readLimit: Int
    var sendQueue: Int
    var pingInterval: Duration
    var pongTimeout: Duration

    init(_ options: Options) {
        metricsListen = options.string("metrics-listen") ?? "127.0.0.1:0"
        name = options.string("name") ?? "chat"
        readLimit = options.integer("read-limit") ?? 4096
        sendQueue = options.integer("send-queue") ?? 16
        pingInterval = options.duration("ping-interval") ?? .seconds(10)
        pongTimeout = options.duration("pong-timeout") ?? .seconds(5)
        if readLimit < 1 { LessonProgram.usageError("--read-limit must be at least 1") }
        if sendQueue < 1 { LessonProgram.usageError("--send-queue must be at least 1") }
        if pingInterval <= .zero { LessonProgram.usageError("--ping-interval must be more than 0") }
        if pongTimeout <= .zero { LessonProgram.usageError("--pong-timeout must be more than 0") }
    }
}

/// Why a connection ended, for `chat_errors_total{kind="…"}`; nil for a clean close.
enum ErrorKind: String, CaseIterable, Sendable {
    /// The connection never became a WebSocket: a refused or broken handshake.
    case handshake
    /// Closed with 1002.
    case `protocol`
    /// Closed with 1007: text that is not UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// Closed with 1009: a message over the read limit.
    case tooBig = "too_big"
    /// Dropped with 1008: its send queue was full.
    case slowClient = "slow_client"
    /// Closed because nothing came within the pong timeout after a ping.
    case noPong = "no_pong"
    /// The connection broke: a reset, or its end without a close frame.
    case broken

    init?(_ ending: Ending) {
        switch ending {
        case .closedByClient: return nil
        case .closeWith(1007, _): self = .invalidUTF8
        case .closeWith(1009, _): self = .tooBig
        case .closeWith: self = .protocol
        case .dropped: self = .slowClient
        case .noPong: self = .noPong
        case .failed: self = .broken
        }
    }
}

/// One connection's whole life (lesson 13's Connection.swift), counted: a refused handshake, a
/// client joining and leaving, and why it left. Every count changes before the log line of the
/// same event, so a scrape after the line sees it.
func handle(_ conn: TCPConn, hub: Hub, settings: Settings, metrics: Metrics, log: Log) async {
    let peer = conn.remoteAddress
    guard let early = await upgrade(conn, log: log) else {
        metrics.connectionFailed(.handshake)
        try? conn.close()
        return
    }
    let client = Client(conn: PrefixConn(prefix: early, base: conn), peer: peer, queueSize: settings.sendQueue)
    hub.join(client)
    metrics.clientJoined()
    log.event("joined \(peer)")
    await withDiscardingTaskGroup { writer in
        writer.addTask { await client.writeLoop() }
        await withDiscardingTaskGroup { pinger in
            pinger.addTask { await keepAlive(client, settings: settings) }
            await readMessages(from: client, hub: hub, settings: settings, log: log)
            pinger.cancelAll()
        }
    }
    hub.leave(client)
    metrics.clientLeft()
    let ending = client.ending ?? .failed("the connection ended")
    if let kind = ErrorKind(ending) { metrics.connectionFailed(kind) }
    if ending.closeFrame != nil { await lingeringClose(client.conn) }
    try? conn.close()
    if let reason = ending.reason { log.event("left \(peer): \(reason)") } else { log.event("left \(peer)") }
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
