// The solution, shared by the mistakes: each one changes one piece of it (whether SIGTERM is
// taken over, what the shutdown does to the clients, the grace timer, when the listener closes,
// whether the pinger is cancelled, what the grace running out means), handed in as a `Variant`.
import LessonKit
import NetCore

/// The pieces a mistake may change; each defaults to the solution's.
struct Variant: Sendable {
    /// Takes SIGTERM over with ShutdownSignal.notify(); false leaves LessonKit's exit at once.
    var takesSignal = true
    /// Hears of every client that joins (a mistake that keeps its own list).
    var onJoin: @Sendable (Client) -> Void = { _ in }
    /// What the shutdown does to the clients.
    var sendAway: @Sendable (Hub) -> Void = { $0.shutDown() }
    /// Closes the listener as the shutdown begins; false closes it only when the grace is over.
    var closesListenerFirst = true
    /// Bounds the shutdown by --grace; false waits for the connections however long they take.
    var graceTimer = true
    /// Cancels the pinger when the reader returns.
    var cancelsPinger = true
    /// Ends with status 0 when the grace runs out; false lets GraceOver out (status 1).
    var graceOverIsNormal = true
}

/// The solution's program, with `variant`'s pieces.
func serveChat(_ variant: Variant = Variant()) -> Never {
    LessonProgram.run(flags: Settings.flags) { options, log in
        let settings = Settings(options)
        let hub = Hub(log: log)
        let shutdown = variant.takesSignal ? ShutdownSignal.notify() : nil
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await acceptConnections(listener, hub: hub, settings: settings, log: log, variant: variant) }
                if let shutdown {
                    group.addTask {
                        try await shutDown(on: shutdown, listener: listener, hub: hub, grace: settings.grace, log: log, variant: variant)
                    }
                }
                defer { group.cancelAll() }
                try await group.next()
            }
            log.event("stopped: every connection closed")
        } catch is GraceOver where variant.graceOverIsNormal {
            log.event("stopped: grace period over")
        }
    }
}

/// The solution's accept loop.
func acceptConnections(_ listener: TCPListener, hub: Hub, settings: Settings, log: Log, variant: Variant) async throws {
    try await withThrowingDiscardingTaskGroup { connections in
        while true {
            let conn: TCPConn
            do {
                conn = try await listener.accept()
            } catch let error as NetError where error.code == .closed || error.code == .canceled {
                break
            } catch let error as NetError where error.isTemporary {
                log.error("accept: \(Log.reason(error))")
                try await Task.sleep(for: .milliseconds(20))
                continue
            }
            connections.addTask { await handle(conn, hub: hub, settings: settings, log: log, variant: variant) }
        }
    }
}

/// Thrown when the grace period ends before the connections do.
struct GraceOver: Error, CustomStringConvertible {
    var description: String { "grace period over" }
}

/// The solution's shutdown, with the variant's pieces.
func shutDown(on shutdown: ShutdownSignal, listener: TCPListener, hub: Hub, grace: Duration, log: Log, variant: Variant) async throws {
    let signal = try await shutdown.wait()
    log.event("shutting down: \(ShutdownSignal.name(of: signal))")
    if variant.closesListenerFirst { try? listener.close() }
    variant.sendAway(hub)
    guard variant.graceTimer else { return try await Task.sleep(for: .seconds(3600)) }
    try await Task.sleep(for: grace)
    log.event("grace period over: cancelling \(hub.count) connections")
    throw GraceOver()
}

/// The solution's connection, with the variant's pieces.
func handle(_ conn: TCPConn, hub: Hub, settings: Settings, log: Log, variant: Variant) async {
    let peer = conn.remoteAddress
    guard let early = await upgrade(conn, log: log) else {
        try? conn.close()
        return
    }
    let client = Client(conn: PrefixConn(prefix: early, base: conn), peer: peer, queueSize: settings.sendQueue)
    hub.join(client)
    variant.onJoin(client)
    log.event("joined \(peer)")
    await withDiscardingTaskGroup { writer in
        writer.addTask { await client.writeLoop() }
        await withDiscardingTaskGroup { pinger in
            pinger.addTask { await keepAlive(client, settings: settings) }
            await readMessages(from: client, hub: hub, settings: settings, log: log)
            if variant.cancelsPinger { pinger.cancelAll() }
        }
    }
    hub.leave(client)
    let ending = client.ending ?? .failed("the connection ended")
    if ending.closeFrame != nil { await lingeringClose(client.conn) }
    try? conn.close()
    if let reason = ending.reason { log.event("left \(peer): \(reason)") } else { log.event("left \(peer)") }
}
