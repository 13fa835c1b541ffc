// Lesson 15 — Graceful shutdown and no leaks. Read it with `netlab lesson 15`; check with
// `netlab check 15`.
//
// This file is the lesson: the program's shape, the accept loop, the shutdown and a connection's
// tasks. Given beside it, ready to use and to read: Chat.swift (lesson 13's frames, messages and
// queue, done), Client.swift (a client's writer, how it ends, `goAway`), Hub.swift (the
// broadcast and `shutDown`), Connection.swift (settings with --grace, keepalive, the lingering
// close), Upgrade.swift and Protocol.swift (lesson 13's, unchanged).
//
// As given, the chat works, but SIGTERM kills it at once (no close frames, messages lost) and
// every connection that ends leaves its tasks and its socket behind.
//
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type; functions and types are fine.
import LessonKit
import NetCore

LessonProgram.run(flags: Settings.flags) { options, log in
    let settings = Settings(options)
    let hub = Hub(log: log)
    // TODO: take SIGTERM over before the ready line: `let shutdown = ShutdownSignal.notify()`.
    // Without it, LessonKit exits with status 0 the moment the signal comes.
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    // TODO: replace `serve` (it cancels every connection the moment its listener closes, like
    // Go's http.Server.Close) with a race in one task group: `acceptConnections` in one child,
    // `shutDown` in the other; `try await group.next()` returns when the first one ends, and
    // `group.cancelAll()` ends the other. Catch `GraceOver` (an exit with status 0), and log
    // `stopped: …` either way.
    try await serve(listener) { conn in
        await handle(conn, hub: hub, settings: settings, log: log)
    }
}

// MARK: The accept loop

/// Accepts connections until the listener is closed, each in a child task, then waits for every
/// connection to end. Cancelled, it cancels them all (their reads and writes throw) and still
/// waits for them. Go: the accept loop of `http.Server.Serve`, whose `Shutdown` lets the
/// connections finish.
func acceptConnections(_ listener: TCPListener, hub: Hub, settings: Settings, log: Log) async throws {
    // TODO: `withThrowingDiscardingTaskGroup { connections in … }`: loop on `listener.accept()`;
    // a NetError with code .closed or .canceled ends the loop (the shutdown closed the listener);
    // a temporary one (error.isTemporary: out of descriptors) is logged, then a short sleep and
    // try again; each connection is `connections.addTask { await handle(conn, …) }`. The group
    // waits for every connection before it returns.
}

// MARK: The shutdown

/// Thrown when the grace period ends before the connections do.
struct GraceOver: Error {}

/// Waits for SIGTERM (or SIGINT), then stops accepting, sends every client its close 1001 after
/// what is queued for it, and gives the connections `grace` to finish; then throws `GraceOver`,
/// and the group cancels what is left. Go: `signal.NotifyContext`, then `srv.Shutdown(ctx)`
/// with `context.WithTimeout(ctx, grace)`.
func shutDown(on shutdown: ShutdownSignal, listener: TCPListener, hub: Hub, grace: Duration, log: Log) async throws {
    // TODO: `let signal = try await shutdown.wait()`, then log `shutting down: SIGTERM`
    // (ShutdownSignal.name(of:)); close the listener first (new connections are refused from
    // then on), then `hub.shutDown()`; sleep `grace`, log `grace period over: cancelling N
    // connections` (hub.count) and throw GraceOver().
}

// MARK: A connection's tasks

/// One connection's whole life: the upgrade, then three tasks (the reader, the writer and the
/// pinger) that all end before it returns, then one close.
func handle(_ conn: TCPConn, hub: Hub, settings: Settings, log: Log) async {
    let peer = conn.remoteAddress
    guard let early = await upgrade(conn, log: log) else {
        try? conn.close()
        return
    }
    let client = Client(conn: PrefixConn(prefix: early, base: conn), peer: peer, queueSize: settings.sendQueue)
    hub.join(client)
    log.event("joined \(peer)")
    await withDiscardingTaskGroup { writer in
        writer.addTask { await client.writeLoop() }
        await withDiscardingTaskGroup { pinger in
            pinger.addTask { await keepAlive(client, settings: settings) }
            await readMessages(from: client, hub: hub, settings: settings, log: log)
            // TODO: the pinger never ends by itself (it sleeps and pings, for ever), and a task
            // group waits for all its children: this connection never gets past here, and its
            // socket stays open. Cancel the pinger when the reader returns.
        }
    }
    hub.leave(client)
    let ending = client.ending ?? .failed("the connection ended")
    if ending.closeFrame != nil { await lingeringClose(client.conn) }
    try? conn.close()
    if let reason = ending.reason { log.event("left \(peer): \(reason)") } else { log.event("left \(peer)") }
}
