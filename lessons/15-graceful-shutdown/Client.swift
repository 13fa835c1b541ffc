// One client of the chat: the task that writes its queue, and how its connection ends. Given:
// the lesson is in main.swift. Lesson 13's client, with one more ending: the server going away,
// which still writes what is queued before its close frame. Go's seed keeps a
// `send chan []byte` per client and closes it from two places (unregister and a full buffer),
// which panics the second time; here the ending is decided once, under a lock, and everything
// else only reads it.
import LessonKit
import NetCore
import Synchronization

/// How a client's connection ends. Decided once, by whoever sees it first: the reader (a close
/// frame, a protocol error, a silent peer, a broken connection), the writer (a failed write) or
/// the hub (a full queue).
enum Ending: Sendable {
    /// The client sent a close frame: answer with its code.
    case closedByClient(echo: [UInt8])
    /// We close with a status code: 1002, 1007, 1009.
    case closeWith(UInt16, String)
    /// The send queue was full: close 1008.
    case dropped
    /// Nothing came within the pong timeout after a ping.
    case noPong
    /// The connection broke (a reset, the end of the stream without a close frame, a failed write).
    case failed(String)
    /// The server is shutting down: the frames already queued go out, then a close 1001.
    case goingAway

    /// The last frame to write, if any.
    var closeFrame: [UInt8]? {
        switch self {
        case .closedByClient(let echo): encodeFrame(.close, echo)
        case .closeWith(let code, _): encodeClose(code)
        case .dropped: encodeClose(1008, "too slow")
        case .goingAway: encodeClose(1001, "going away")
        case .noPong, .failed: nil
        }
    }

    /// Why, for the `left` line; nil for a clean close by the client.
    var reason: String? {
        switch self {
        case .closedByClient: nil
        case .closeWith(_, let why): why
        case .dropped: "send queue full"
        case .noPong: "no pong"
        case .failed(let why): why
        case .goingAway: "server shutting down"
        }
    }

    /// Whether the frames still queued are written before the close frame: only when the
    /// server goes away (they were broadcast, so their senders saw them come back). Any other
    /// ending closes at once.
    var drainsQueue: Bool {
        if case .goingAway = self { return true }
        return false
    }
}

final class Client: Sendable {
    let conn: PrefixConn<TCPConn>
    let peer: SocketAddress
    /// Whole frames to write, in order; bounded (main.swift).
    private let queue: SendQueue
    private let state = Mutex(State())

    private struct State {
        var ending: Ending?
        /// When the ping we are waiting an answer for went out.
        var pingSentAt: ContinuousClock.Instant?
    }

    init(conn: PrefixConn<TCPConn>, peer: SocketAddress, queueSize: Int) {
        self.conn = conn
        self.peer = peer
        queue = SendQueue(capacity: queueSize)
    }

    /// Queues a message frame without waiting; false when the queue is full (the hub then
    /// drops this client). Go: `select { case c.send <- msg: default: … }`.
    func offer(_ frame: [UInt8]) -> Bool { queue.offer(frame) }

    /// Queues a control frame (a pong, a ping). With the queue full it is left out: the next
    /// broadcast finds the queue full too and drops the client.
    func sendControl(_ frame: [UInt8]) {
        _ = queue.offer(frame)
    }

    /// Writes queued frames until the connection ends, then the close frame, if the ending has
    /// one. The only task that writes to the connection after the upgrade (Go: the write pump).
    func writeLoop() async {
        await queue.receive { frame in
            // What is still queued is not sent after the decision to close, unless the server is
            // going away: then everything queued goes out first.
            if let ending, !ending.drainsQueue { return false }
            do {
                try await conn.write(frame)
                return true
            } catch {
                end(.failed(Log.reason(error)))
                return false
            }
        }
        if let last = ending?.closeFrame { try? await conn.write(last) }
    }

    /// Decides how the connection ends. Only the first call counts (and returns true): it ends
    /// the queue, which wakes the writer, gives the last writes 1 s, and wakes the reader.
    @discardableResult
    func end(_ why: Ending) -> Bool {
        let first = state.withLock { state in
            guard state.ending == nil else { return false }
            state.ending = why
            try? conn.setWriteDeadline(.after(.seconds(1)))
            try? conn.setReadDeadline(.now)
            return true
        }
        if first { queue.finish() }
        return first
    }

    /// The server is shutting down: the writer sends what is queued, then a close 1001, and the
    /// reader goes on until the client answers with its close (a shutdown's grace period bounds
    /// that wait). Nothing new is queued after this (the queue is finished). False when the
    /// connection's ending was already decided.
    @discardableResult
    func goAway() -> Bool {
        let first = state.withLock { state in
            guard state.ending == nil else { return false }
            state.ending = .goingAway
            return true
        }
        if first { queue.finish() }
        return first
    }

    /// How the connection ends, once decided.
    var ending: Ending? { state.withLock { $0.ending } }

    /// Sends a ping. The first ping not yet answered sets the read deadline: the reader gives up
    /// when nothing at all arrives within `pongTimeout` of it.
    func ping(pongTimeout: Duration) {
        let open = state.withLock { state in
            guard state.ending == nil else { return false }
            if state.pingSentAt == nil {
                state.pingSentAt = .now
                try? conn.setReadDeadline(.after(pongTimeout))
            }
            return true
        }
        if open { sendControl(encodeFrame(.ping, [])) }
    }

    /// A frame arrived: the peer is alive, whatever the frame was.
    func heard() {
        state.withLock { state in
            guard state.ending == nil, state.pingSentAt != nil else { return }
            state.pingSentAt = nil
            try? conn.setReadDeadline(nil)
        }
    }

    /// Whether a ping is waiting for an answer.
    var pingOutstanding: Bool { state.withLock { $0.pingSentAt != nil } }
}
