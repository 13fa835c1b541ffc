// The hub: who is in the chat, and one order for every message. Go's seed runs the hub as a
// goroutine fed by channels; a lock does the same job here with no task of its own.
import LessonKit
import Synchronization

final class Hub: Sendable {
    private let clients = Mutex<[ObjectIdentifier: Client]>([:])
    private let log: Log

    init(log: Log) { self.log = log }

    func join(_ client: Client) { clients.withLock { $0[ObjectIdentifier(client)] = client } }

    func leave(_ client: Client) { _ = clients.withLock { $0.removeValue(forKey: ObjectIdentifier(client)) } }

    /// Queues `frame` for every client, the sender included. The lock makes one order for all:
    /// two broadcasts never interleave. Nothing here waits for a client: a full queue drops
    /// that client (close 1008, a log line) and the others get the message.
    ///
    /// Then it yields: a reader whose client sent a burst has its frames already in memory and
    /// would otherwise broadcast them all before any writer task ran, filling every queue at
    /// once. Go's scheduler runs the writers in parallel; here they get their turn.
    func broadcast(_ frame: [UInt8]) async {
        let tooSlow = clients.withLock { clients in
            var tooSlow: [Client] = []
            for (id, client) in clients where !client.offer(frame) {
                clients[id] = nil
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
