/// WebSocket (RFC 6455) and HTTP as a check writes them: a client that upgrades
/// (`connect a websocket "/chat"`), frames to send (`send a ws text "hi" then ping "x"`) and
/// frames or an HTTP response to expect (`expect a ws text "hi"`, `expect a http status 404`).

/// `connect NAME websocket PATH [no-pong]`: after TCP connects, the client sends an HTTP/1.1
/// upgrade request for PATH with a fresh `Sec-WebSocket-Key`, and the step passes only on a
/// `101` whose `Sec-WebSocket-Accept` is right.
public struct WebSocketConnect: Sendable, Equatable {
    /// The request target, such as `/chat`.
    public var path: String
    /// Whether the client answers the server's pings by itself (as every real client does).
    /// `no-pong` turns it off: a peer that never answers.
    public var answersPings: Bool

    public init(path: String, answersPings: Bool = true) {
        self.path = path
        self.answersPings = answersPings
    }
}

/// The payload of a frame, or what a frame's payload must be.
public enum WebSocketData: Sendable, Equatable {
    /// A string's or `hex "…"`'s bytes.
    case bytes([UInt8])
    /// `fill SIZE`: SIZE bytes of the letters `a` to `z`, over and over (valid UTF-8 text).
    case fill(Int)

    /// The most bytes `fill` may make: the largest frame the checker accepts from a server.
    public static let maximumFill = 16 << 20

    /// The bytes this payload stands for.
    public var bytes: [UInt8] {
        switch self {
        case .bytes(let b): b
        case .fill(let n): Self.filled(n)
        }
    }

    /// `n` bytes of `abc…xyzabc…`.
    static func filled(_ n: Int) -> [UInt8] {
        // Doubling copies: a few large appends, quick even in a debug build.
        var out = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        out.reserveCapacity(max(n, out.count))
        while out.count < n { out += out.prefix(n - out.count) }
        return Array(out.prefix(n))
    }

    public var count: Int {
        switch self {
        case .bytes(let b): b.count
        case .fill(let n): n
        }
    }
}

/// The opcodes RFC 6455 §5.2 names.
public enum WebSocketOpcode {
    public static let continuation: UInt8 = 0
    public static let text: UInt8 = 1
    public static let binary: UInt8 = 2
    public static let close: UInt8 = 8
    public static let ping: UInt8 = 9
    public static let pong: UInt8 = 10

    /// `text`, `binary`, `ping`, …, or `opcode 3` for a reserved one.
    public static func name(_ opcode: UInt8) -> String {
        switch opcode {
        case continuation: "continuation"
        case text: "text"
        case binary: "binary"
        case close: "close"
        case ping: "ping"
        case pong: "pong"
        default: "opcode \(opcode)"
        }
    }
}

/// One frame of `send NAME ws …`, built by the checker exactly as written: a client frame
/// (masked unless `mask no`), with the shortest length encoding unless `length-form` says
/// otherwise, and the payload's true length unless `declared-length` lies about it.
public struct WebSocketFrame: Sendable, Equatable {
    public enum Mask: Sendable, Equatable {
        /// A fresh random masking key (RFC 6455 §5.3), as a client must.
        case random
        /// `mask no`: no mask bit and no key: a protocol error from a client.
        case none
        /// `mask hex "01 02 03 04"`: this key.
        case key([UInt8])
    }

    public var fin: Bool
    /// The three RSV bits, 0 to 7 (RSV1 is 4).
    public var rsv: UInt8
    /// 0 to 15.
    public var opcode: UInt8
    public var payload: WebSocketData
    public var mask: Mask
    /// `length-form 7|16|64`: the encoding of the length; nil is the shortest that fits.
    public var lengthForm: Int?
    /// `declared-length N`: the length written in the header instead of the payload's.
    public var declaredLength: UInt64?

    public init(
        fin: Bool = true, rsv: UInt8 = 0, opcode: UInt8, payload: WebSocketData = .bytes([]), mask: Mask = .random,
        lengthForm: Int? = nil, declaredLength: UInt64? = nil
    ) {
        self.fin = fin
        self.rsv = rsv
        self.opcode = opcode
        self.payload = payload
        self.mask = mask
        self.lengthForm = lengthForm
        self.declaredLength = declaredLength
    }

    /// A close frame's payload: the code (two bytes, big-endian) and the reason.
    public static func closePayload(code: UInt16, reason: [UInt8]) -> [UInt8] {
        [UInt8(code >> 8), UInt8(code & 0xff)] + reason
    }
}

/// `expect NAME ws …`: the next frame from the server (pings it sends by itself are skipped
/// unless a ping is expected).
public enum ExpectedWebSocket: Sendable, Equatable {
    /// `ws text DATA` or `ws binary DATA`: one unfragmented message of that type.
    case message(opcode: UInt8, WebSocketData)
    /// `ws ping [DATA]`: a ping, with this payload when given.
    case ping(WebSocketData?)
    /// `ws pong [DATA]`: a pong, with this payload when given.
    case pong(WebSocketData?)
    /// `ws close [CODE {or CODE} | none]`: a close frame.
    case close(CloseCode)

    public enum CloseCode: Sendable, Equatable {
        /// `ws close`: any close frame.
        case any
        /// `ws close none`: a close frame with an empty payload (no code).
        case none
        /// `ws close 1002 or 1007`: one of these codes.
        case oneOf([UInt16])
    }
}

/// `expect NAME http status N [header NAME VALUE]…`: an HTTP/1.1 response head with this
/// status (and these headers: names compared without case, values exactly after trimming).
public struct ExpectedHTTPResponse: Sendable, Equatable {
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var status: Int
    public var headers: [Header]

    public init(status: Int, headers: [Header] = []) {
        self.status = status
        self.headers = headers
    }
}
