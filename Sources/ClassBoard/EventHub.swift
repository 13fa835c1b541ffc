import Foundation
import Synchronization

/// The board's server-sent events: every open page gets the latest snapshot, as one `data:`
/// event, now and on every change. A page that cannot keep up only ever has the newest snapshot
/// waiting (each one holds the whole board), so a slow or stuck page costs one message of memory.
final class EventHub: Sendable {
    struct Subscription {
        let id: Int
        let stream: AsyncStream<[UInt8]>
    }

    private struct State {
        var next = 0
        var subscribers: [Int: AsyncStream<[UInt8]>.Continuation] = [:]
        /// The latest message, sent to each new page at once.
        var latest: [UInt8]?
    }

    private let state = Mutex(State())

    /// A new page's stream, starting with the latest snapshot; nil when `limit` pages are open.
    func subscribe(limit: Int) -> Subscription? {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id: Int? = state.withLock { s in
            guard s.subscribers.count < limit else { return nil }
            s.next += 1
            s.subscribers[s.next] = continuation
            if let latest = s.latest { continuation.yield(latest) }
            return s.next
        }
        guard let id else {
            continuation.finish()
            return nil
        }
        return Subscription(id: id, stream: stream)
    }

    func unsubscribe(_ id: Int) {
        state.withLock { $0.subscribers.removeValue(forKey: id) }?.finish()
    }

    /// Sends `json` to every open page as an event (`data: …`; the JSON is one line).
    func publish(_ json: Data) {
        let message = Array("data: ".utf8) + Array(json) + Array("\n\n".utf8)
        let targets = state.withLock { s in
            s.latest = message
            return Array(s.subscribers.values)
        }
        for continuation in targets { continuation.yield(message) }
    }

    /// Sends the latest snapshot again (a keepalive that a page can only use): a page whose
    /// peer went away is found by the write that fails.
    func repeatLatest() {
        let (message, targets) = state.withLock { s in (s.latest, Array(s.subscribers.values)) }
        guard let message else { return }
        for continuation in targets { continuation.yield(message) }
    }

    /// How many pages are open.
    var count: Int { state.withLock { $0.subscribers.count } }

    /// Ends every stream (the server is stopping).
    func finishAll() {
        let all = state.withLock { s in
            defer { s.subscribers = [:] }
            return Array(s.subscribers.values)
        }
        for continuation in all { continuation.finish() }
    }
}
