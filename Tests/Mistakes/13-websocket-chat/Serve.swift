// The solution, shared by the mistakes: each one replaces one piece of it (the frame reader,
// the message loop, the broadcast, what a full queue does, the pinger or the accept value),
// handed in as a `Variant`.
import LessonKit
import NetCore

/// The pieces a mistake may replace; each defaults to the solution's.
struct Variant: Sendable {
    var frameReader: @Sendable (PrefixConn<TCPConn>, Int) async throws -> Frame = { try await readFrame(from: $0, dataLimit: $1) }
    var messageLoop: @Sendable (Client, Hub, Settings, Log, Variant) async -> Void = {
        await readMessages(from: $0, hub: $1, settings: $2, log: $3, variant: $4)
    }
    var broadcast: @Sendable (Hub, [UInt8]) async -> Void = { hub, frame in await hub.broadcast(frame) }
    var onFullQueue: @Sendable (Client, Log) -> Void = { client, log in
        if client.end(.dropped) { log.event("dropped \(client.peer): send queue full") }
    }
    var pinger: @Sendable (Client, Settings) async -> Void = { await keepAlive($0, settings: $1) }
    var accept: @Sendable (String) -> String = { acceptValue(forKey: $0) }
    var refuse: @Sendable (HTTPRequestHead) -> (why: String, response: String)? = { refusal(of: $0) }
}

/// The solution's program, with `variant`'s pieces.
func serveChat(_ variant: Variant = Variant()) -> Never {
    LessonProgram.run(flags: Settings.flags) { options, log in
        let settings = Settings(options)
        let hub = Hub(log: log, onFullQueue: variant.onFullQueue)
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        try await serve(listener) { conn in
            await handle(conn, hub: hub, settings: settings, log: log, variant: variant)
        }
    }
}

/// The program's settings, from its flags.
struct Settings: Sendable {
    static let flags = [
        Flag("read-limit", .integer, help: "close a client whose message is over N bytes, with 1009 (default 4096)"),
        Flag("send-queue", .integer, help: "messages queued for a client before it is dropped as too slow (default 16)"),
        Flag("ping-interval", .duration, help: "ping every client this often (default 10s)"),
        Flag("pong-timeout", .duration, help: "close a client silent this long after a ping (default 5s)"),
    ]

    var readLimit: Int
    var sendQueue: Int
    var pingInterval: Duration
    var pongTimeout: Duration

    init(_ options: Options) {
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

/// One connection's whole life: the upgrade, then three tasks (Go: the read loop, the write
/// pump and the pinger) until the connection ends, then one close. Only this function closes
/// the connection, once, whoever decided that it ends.
func handle(_ conn: TCPConn, hub: Hub, settings: Settings, log: Log, variant: Variant) async {
    let peer = conn.remoteAddress
    guard let early = await upgrade(conn, log: log, accept: variant.accept, refuse: variant.refuse) else {
        try? conn.close()
        return
    }
    // Bytes the client sent right after its request (its first frames) are read first.
    let client = Client(conn: PrefixConn(prefix: early, base: conn), peer: peer, queueSize: settings.sendQueue)
    hub.join(client)
    log.event("joined \(peer)")
    await withDiscardingTaskGroup { writer in
        writer.addTask { await client.writeLoop() }
        await withDiscardingTaskGroup { pinger in
            pinger.addTask { await variant.pinger(client, settings) }
            await variant.messageLoop(client, hub, settings, log, variant)
            pinger.cancelAll()
        }
    }  // the writer has written the close frame, if there is one
    hub.leave(client)
    let ending = client.ending ?? .failed("the connection ended")
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
