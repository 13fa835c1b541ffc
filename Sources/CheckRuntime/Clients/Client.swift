import Glibc
import NetCore
import NetTLS
import Synchronization

/// A checker-owned connection to the server (or elsewhere): `connect a`, `tls-connect a`.
final class Client: Sendable {
    let name: String
    let conn: any Conn
    /// The TCP connection under a TLS one (for `reset`).
    let tcp: TCPConn?
    let record = StreamRecord()
    /// Held by a step that writes, and by a WebSocket client's pong writer, so that writes of
    /// several pieces are never interleaved.
    let sendLock = AsyncLock()
    /// For `connect … websocket`: the pinger's answerer (WebSocketSession.swift).
    let webSocket: WebSocketSession?
    private let reader = Mutex<Task<Void, Never>?>(nil)
    /// When this client last did something a server's idle timer counts from: its connect, then
    /// each write. `expect NAME closed after T` measures T from here (or from the step's start,
    /// when that is earlier).
    private let activity = Mutex(ContinuousClock.now)
    /// For a `no-read` client: how to start reading, run by the first step that expects
    /// something of it.
    private let deferredStart = Mutex<(@Sendable () -> Void)?>(nil)

    init(name: String, conn: any Conn, tcp: TCPConn?, webSocket: WebSocketSession? = nil) {
        self.name = name
        self.webSocket = webSocket
        self.conn = conn
        self.tcp = tcp
    }

    /// A client whose connection the server reset while it was being set up (the RST came
    /// before connect(2) returned): it exists, and it has ended with a reset.
    static func resetWhileConnecting(name: String) -> Client {
        let client = Client(name: name, conn: ResetConn(), tcp: nil)
        client.record.finish(.reset)
        return client
    }

    func startReading(
        onData: (@Sendable ([UInt8]) -> Void)? = nil, onFull: (@Sendable (Int) -> Void)? = nil,
        onEnd: @escaping @Sendable (StreamRecord.End) -> Void
    ) {
        let task = Task { [conn, record] in await StreamRecord.pump(conn, into: record, onData: onData, onFull: onFull, onEnd: onEnd) }
        reader.withLock { $0 = task }
    }

    /// Like ``startReading(onData:onFull:onEnd:)``, but only when ``startDeferredReading()`` is called.
    func deferReading(
        onData: (@Sendable ([UInt8]) -> Void)? = nil, onFull: (@Sendable (Int) -> Void)? = nil,
        onEnd: @escaping @Sendable (StreamRecord.End) -> Void
    ) {
        deferredStart.withLock { $0 = { [self] in startReading(onData: onData, onFull: onFull, onEnd: onEnd) } }
    }

    /// Starts the reading that ``deferReading(onData:onFull:onEnd:)`` put off (once; no-op otherwise).
    func startDeferredReading() {
        deferredStart.withLock { start -> (@Sendable () -> Void)? in
            defer { start = nil }
            return start
        }?()
    }

    /// The last time the client connected or sent bytes.
    var lastActivity: ContinuousClock.Instant { activity.withLock { $0 } }

    /// Records that the client just sent bytes (see ``lastActivity``).
    func noteActivity() {
        activity.withLock { $0 = .now }
    }

    func close() {
        try? conn.close()
    }

    func reset() {
        try? tcp?.closeWithReset()
        try? conn.close()
    }

    func stop() {
        webSocket?.finish()
        close()
        stopReading()
    }

    /// Ends the reading task (its end is `.local`, which no transcript reports).
    func stopReading() {
        reader.withLock { $0?.cancel() }
    }
}
