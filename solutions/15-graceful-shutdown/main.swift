// Lesson 15 — Graceful shutdown and no leaks: the solution. Every task has an owner that waits
// for it: a connection's tasks are children of the connection, the connections are children of
// the accept loop, and the accept loop and the shutdown timer race in one group, so SIGTERM
// ends them all, in order, within the grace period.
//
// This file is the lesson: the program's shape, the accept loop, the shutdown and a connection's
// tasks. Given beside it: Chat.swift (lesson 13's frames, messages and queue), Client.swift (a
// client's writer, how it ends, `goAway`), Hub.swift (the broadcast and `shutDown`),
// Connection.swift (settings, keepalive, the lingering close), Upgrade.swift, Protocol.swift.
import LessonKit
import NetCore

LessonProgram.run(flags: Settings.flags) { options, log in
    let settings = Settings(options)
    let hub = Hub(log: log)
    let shutdown = ShutdownSignal.notify()  // before the ready line: from now on SIGTERM is ours
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    do {
        // Two tasks race; the first to end decides, and the other is cancelled.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await acceptConnections(listener, hub: hub, settings: settings, log: log) }
            group.addTask { try await shutDown(on: shutdown, listener: listener, hub: hub, grace: settings.grace, log: log) }
            defer { group.cancelAll() }
            try await group.next()
        }
        log.event("stopped: every connection closed")
    } catch is GraceOver {
        log.event("stopped: grace period over")
    }
}

// MARK: The accept loop

/// Accepts connections until the listener is closed, each in a child task, then waits for every
/// connection to end. Cancelled, it cancels them all (their reads and writes throw) and still
/// waits for them. NetCore's `serve` would cancel the connections as soon as the listener
/// closes, like Go's `http.Server.Close`; this loop lets them finish, like `Shutdown`.
func acceptConnections(_ listener: TCPListener, hub: Hub, settings: Settings, log: Log) async throws {
    try await withThrowingDiscardingTaskGroup { connections in
        while true {
            let conn: TCPConn
            do {
                conn = try await listener.accept()
            } catch let error as NetError where error.code == .closed || error.code == .canceled {
                break  // the shutdown closed the listener, or cancelled us
            } catch let error as NetError where error.isTemporary {
                log.error("accept: \(Log.reason(error))")  // out of descriptors: try again soon
                try await Task.sleep(for: .milliseconds(20))
                continue
            }
            connections.addTask { await handle(conn, hub: hub, settings: settings, log: log) }
        }
    }  // every connection has ended
}

// MARK: The shutdown

/// Thrown when the grace period ends before the connections do.
struct GraceOver: Error {}

/// Waits for SIGTERM (or SIGINT), then stops accepting, sends every client its close 1001 after
/// what is queued for it, and gives the connections `grace` to finish; then throws `GraceOver`,
/// and the group cancels what is left. Like Go's `signal.NotifyContext` followed by
/// `srv.Shutdown(ctx)` with `context.WithTimeout(ctx, grace)`.
func shutDown(on shutdown: ShutdownSignal, listener: TCPListener, hub: Hub, grace: Duration, log: Log) async throws {
    let signal = try await shutdown.wait()
    log.event("shutting down: \(ShutdownSignal.name(of: signal))")
    try? listener.close()  // new connections are refused from here on
    hub.shutDown()
    try await Task.sleep(for: grace)
    log.event("grace period over: cancelling \(hub.count) connections")
    throw GraceOver()
}

// MARK: A connection's tasks

/// One connection's whole life: the upgrade, then three tasks (the reader, the writer and the
/// pinger) that all end before it returns, then one close. The pinger never ends by itself, so
/// it is cancelled when the reader returns; the writer ends when the client's queue is finished
/// (`Client.end`, `Client.goAway`). Cancelled (the grace period is over), every read and write
/// throws at once, and the same path closes the connection.
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
            pinger.cancelAll()  // without this the group waits for the pinger forever
        }
    }
    hub.leave(client)
    let ending = client.ending ?? .failed("the connection ended")
    if ending.closeFrame != nil { await lingeringClose(client.conn) }
    try? conn.close()
    if let reason = ending.reason { log.event("left \(peer): \(reason)") } else { log.event("left \(peer)") }
}
