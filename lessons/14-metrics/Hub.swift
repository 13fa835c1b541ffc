// The hub of lesson 13, counting: every message received, every copy queued for a client, and
// how long each broadcast took. Given: the lesson is in main.swift (the metrics themselves).
import LessonKit
import Synchronization

final class Hub: Sendable {
    private let clients = Mutex<[ObjectIdentifier: Client]>([:])
    private let log: Log
    private let metrics: Metrics

    init(log: Log, metrics: Metrics) {
        self.log = log
        self.metrics = metrics
    }

    func join(_ client: Client) { clients.withLock { $0[ObjectIdentifier(client)] = client } }

    func leave(_ client: Client) { _ = clients.withLock { $0.removeValue(forKey: ObjectIdentifier(client)) } }

    /// Queues `frame` for every client, the sender included (lesson 13's Hub.swift says why it
    /// never waits, and why it yields). Counts the message as received, each copy that a queue
    /// took as sent, and the time from here to the last queue as one broadcast.
    func broadcast(_ frame: [UInt8]) async {
        let start = ContinuousClock.now
        metrics.messageReceived()
        let (tooSlow, queued) = clients.withLock { clients in
            var tooSlow: [Client] = []
            var queued = 0
            for (id, client) in clients {
                if client.offer(frame) {
                    queued += 1
                } else {
                    clients[id] = nil
                    tooSlow.append(client)
                }
            }
            return (tooSlow, queued)
        }
        metrics.messagesSent(queued)
        metrics.observeBroadcast(ContinuousClock.now - start)
        for client in tooSlow where client.end(.dropped) {
            log.event("dropped \(client.peer): send queue full")
        }
        await Task.yield()
    }
}
