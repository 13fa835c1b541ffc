import CheckLanguage
import NetCore
import Synchronization

/// The background half of a WebSocket client (`connect a websocket "/chat"`): it watches the
/// bytes the server sends, as they arrive, and answers every ping with a pong at once, the way
/// a browser or Go's `websocket.Conn` does, so that a keepalive never closes a client that is
/// only waiting for its next `expect`. `no-pong` makes a client that never answers.
///
/// It reads a copy of the stream and never consumes from the client's `StreamRecord`: the
/// expectations decode the same frames for themselves. A pong is written under the client's
/// send lock, so it never lands inside a frame that a `send … in chunks` is writing.
final class WebSocketSession: Sendable {
    let answersPings: Bool
    private let scanner = Mutex(PingScanner())
    private let pongs: AsyncStream<[UInt8]>.Continuation
    private let stream: AsyncStream<[UInt8]>

    init(answersPings: Bool) {
        self.answersPings = answersPings
        (stream, pongs) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(64))
    }

    /// Called with each piece the client reads.
    func feed(_ bytes: [UInt8]) {
        guard answersPings else { return }
        for payload in scanner.withLock({ $0.feed(bytes) }) { pongs.yield(payload) }
    }

    /// Writes the pongs until ``finish()``; `onPong` hears each one written.
    func startAnswering(_ client: Client, onPong: @escaping @Sendable ([UInt8]) -> Void) {
        guard answersPings else { return }
        Task { [stream] in
            for await payload in stream {
                let frame = WebSocketWire.encode(WebSocketFrame(opcode: WebSocketOpcode.pong, payload: .bytes(payload)))
                do {
                    try await client.sendLock.lock()
                    defer { client.sendLock.unlock() }
                    try await client.conn.write(frame)
                } catch {
                    return
                }
                onPong(payload)
            }
        }
    }

    func finish() { pongs.finish() }
}

/// Finds the pings in a server's byte stream, piece by piece: first skips the HTTP response
/// head, then walks the frames, keeping only control payloads (at most 125 bytes) and skipping
/// data payloads by count. Stops for good at anything it cannot follow (a head over 8 KiB, a
/// frame over the checker's bound), which the expectations then report.
struct PingScanner {
    private enum State {
        case head(matched: Int, seen: Int)
        case header
        case payload(remaining: Int, ping: Bool)
        case stopped
    }

    private var state = State.head(matched: 0, seen: 0)
    private var header: [UInt8] = []
    private var mask: [UInt8] = []
    private var ping: [UInt8] = []
    private static let endOfHead: [UInt8] = [13, 10, 13, 10]

    /// The payloads of the pings completed by `bytes`.
    mutating func feed(_ bytes: [UInt8]) -> [[UInt8]] {
        var found: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            switch state {
            case .stopped:
                return found
            case .head(let matched, let seen):
                let b = bytes[i]
                i += 1
                let next = b == Self.endOfHead[matched] ? matched + 1 : (b == 13 ? 1 : 0)
                if next == 4 {
                    state = .header
                } else {
                    state = seen + 1 > 8192 ? .stopped : .head(matched: next, seen: seen + 1)
                }
            case .header:
                header.append(bytes[i])
                i += 1
                guard header.count >= 2 else { continue }
                let short = header[1] & 0x7f
                let masked = header[1] & 0x80 != 0
                let needed = 2 + (short == 126 ? 2 : short == 127 ? 8 : 0) + (masked ? 4 : 0)
                guard header.count == needed else { continue }
                var length = UInt64(short)
                if short == 126 { length = UInt64(header[2]) << 8 | UInt64(header[3]) }
                if short == 127 { length = header[2..<10].reduce(0) { $0 << 8 | UInt64($1) } }
                guard length <= UInt64(WebSocketWire.maximumFrame) else {
                    state = .stopped
                    continue
                }
                mask = masked ? Array(header.suffix(4)) : []
                let isPing = header[0] & 0x0f == WebSocketOpcode.ping && length <= 125
                header = []
                ping = []
                state = .payload(remaining: Int(length), ping: isPing)
                if length == 0, isPing { found.append([]) }
                if length == 0 { state = .header }
            case .payload(let remaining, let isPing):
                let n = min(remaining, bytes.count - i)
                if isPing { ping += bytes[i..<i + n] }
                i += n
                if remaining - n == 0 {
                    if isPing {
                        if !mask.isEmpty { for j in ping.indices { ping[j] ^= mask[j & 3] } }
                        found.append(ping)
                    }
                    state = .header
                } else {
                    state = .payload(remaining: remaining - n, ping: isPing)
                }
            }
        }
        return found
    }
}
