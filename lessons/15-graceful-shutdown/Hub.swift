// The hub: who is in the chat, and one order for every message. Given: the lesson is in
// main.swift. Lesson 13's hub, which can also shut down: every client gets its close 1001 after
// what is queued for it, and nothing is broadcast after that.
import LessonKit
import Synchronization

final class Hub: Sendable {
    private let state = Mutex(State())

    private struct State {
        var clients: [ObjectIdentifier: Client] = [:]
        /// Set by `shutDown()`: no new message is queued, and a client that joins is sent away.
        var closing = false
    }
    private let log: Log

    init(log: Log) { self.log = log }

    /// Adds a client. During a shutdown it is sent away at once (it upgraded after the signal).
    func join(_ client: Client) {
        let closing = state.withLock { state in
            state.clients[ObjectIdentifier(client)] = client
            return state.closing
        }
        if closing { client.goAway() }
    }

    func leave(_ client: Client) { _ = state.withLock { $0.clients.removeValue(forKey: ObjectIdentifier(client)) } }

    /// How many clients are in the chat.
    var count: Int { state.withLock { $0.clients.count } }

    /// Starts the shutdown: every client gets what is already queued for it, then a close 1001
    /// (`Client.goAway`). Under the lock, so that a broadcast is either queued for every client
    /// before the close frames or for none: a message is never half delivered. Go: the part of
    /// `http.Server.Shutdown` that tells each connection to finish.
    func shutDown() {
        let clients = state.withLock { state in
            state.closing = true
            return Array(state.clients.values)
        }
        for client in clients { client.goAway() }
    }

    /// Queues `frame` for every client, the sender included; nothing once the shutdown began. The lock makes one order for all:
    /// two broadcasts never interleave. Nothing here waits for a client: a full queue drops
    /// that client (close 1008, a log line) and the others get the message.
    ///
    /// Then it yields: a reader whose client sent a burst has its frames already in memory and
    /// would otherwise broadcast them all before any writer task ran, filling every queue at
    /// once. Go's scheduler runs the writers in parallel; here they get their turn.
    func broadcast(_ frame: [UInt8]) async {
        let tooSlow = state.withLock { state in
            var tooSlow: [Client] = []
            // Shutting down: the message is not sent, so its sender never sees it come back.
            guard !state.closing else { return tooSlow }
            for (id, client) in state.clients where !client.offer(frame) {
                state.clients[id] = nil
                tooSlow.append(client)
            }
            return tooSlow
        }
        for client in tooSlow where client.end(.dropped) {
            log.event("dropped \(client.peer): send queue full")
        }
        await Task.yield()
    }
}
