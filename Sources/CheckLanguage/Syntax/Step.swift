/// One step of a check, in the order the check runs them.
///
/// Every payload carries the `SourceLocation` of its first token, so a failing step can be
/// reported as `checks.netlab:14:3`. Steps that wait have an optional bound (`within`); nil means
/// "none written", and the interpreter applies ``CheckScript/stepTimeout``.
public enum Step: Sendable, Equatable {
    /// `connect NAME …` and `tls-connect NAME …`
    case connect(Connect)
    /// `send NAME …`
    case send(Send)
    /// `shutdown NAME write`: half-close, the client sends FIN and can still read.
    case shutdownWrite(ClientAction)
    /// `reset NAME`: abort the connection with a RST (SO_LINGER 0, then close).
    case reset(ClientAction)
    /// `close NAME`: close the connection (FIN).
    case close(ClientAction)
    /// `expect NAME …` where NAME is a client.
    case expectClient(ClientExpectation)
    /// `expect NAME …` where NAME is an upstream.
    case expectUpstream(UpstreamExpectation)
    /// `expect server …`
    case expectServer(ServerExpectation)
    /// `fds as NAME`, `rss as NAME`, `cpu as NAME`: remember a measurement of the server.
    case capture(Capture)
    /// `stop`: send SIGTERM to the server (it is not waited for; use `expect server exited`).
    case stop(SourceLocation)
    /// `sleep T`
    case sleep(Sleep)
    /// `repeat N [as i] … end`: the body N times, one after the other.
    case `repeat`(Loop)
    /// `parallel N [as i] … end`: N copies of the body at once; the step ends when all have.
    case parallel(Loop)
    /// `scrape NAME "PATH" …`: an HTTP GET of metrics, kept under NAME (Scrape.swift).
    case scrape(Scrape)
    /// `expect NAME …` where NAME is a scrape.
    case expectScrape(ScrapeExpectation)

    public var location: SourceLocation {
        switch self {
        case .connect(let s): s.location
        case .send(let s): s.location
        case .shutdownWrite(let s), .reset(let s), .close(let s): s.location
        case .expectClient(let s): s.location
        case .expectUpstream(let s): s.location
        case .expectServer(let s): s.location
        case .capture(let s): s.location
        case .stop(let location): location
        case .sleep(let s): s.location
        case .repeat(let s), .parallel(let s): s.location
        case .scrape(let s): s.location
        case .expectScrape(let s): s.location
        }
    }
}

/// `connect NAME [to ADDR] [no-read] [within T] [fails]` and
/// `tls-connect NAME [to ADDR] [sni HOST] [ca FILE | no-verify] [alpn P,…] [within T] [fails]`.
public struct Connect: Sendable, Equatable {
    public var client: NameTemplate
    /// Where to connect; nil means the server (`{listen}`, with the port from its ready line).
    public var target: Template?
    /// Non-nil for `tls-connect`: the TCP connection is followed by a TLS handshake.
    public var tls: TLSClientOptions?
    /// `fails`: the step passes only if connecting (or the handshake) fails within the bound.
    public var expectFailure: Bool
    /// `no-read`: the client reads nothing (and offers a small receive buffer) until a step
    /// expects something of it, like a client that never reads its replies.
    public var readsNothing = false
    /// `websocket PATH [no-pong]`: the connection upgrades to a WebSocket (WebSocket.swift).
    public var webSocket: WebSocketConnect?
    public var within: Duration?
    public var location: SourceLocation

    public init(
        client: NameTemplate, target: Template? = nil, tls: TLSClientOptions? = nil,
        expectFailure: Bool = false, within: Duration? = nil, location: SourceLocation
    ) {
        self.client = client
        self.target = target
        self.tls = tls
        self.expectFailure = expectFailure
        self.within = within
        self.location = location
    }
}

/// The options of `tls-connect`.
public struct TLSClientOptions: Sendable, Equatable {
    public enum Verification: Sendable, Equatable {
        /// Verify the server's certificate chain against this CA file and its name against the
        /// SNI (or `localhost` when there is no SNI). Without `ca`, the file is `{ca}`.
        case ca(Template)
        /// `no-verify`: accept any certificate.
        case off
    }

    /// `sni HOST`: the server name sent in the ClientHello; nil sends none.
    public var serverName: String?
    public var verification: Verification
    /// `alpn h2,http/1.1`: protocols offered, in order; empty offers none.
    public var alpn: [String]

    public init(serverName: String? = nil, verification: Verification, alpn: [String] = []) {
        self.serverName = serverName
        self.verification = verification
        self.alpn = alpn
    }
}

/// `send NAME PAYLOAD [in N chunks | in chunks of SIZE] [every T] [within T]`
public struct Send: Sendable, Equatable {
    public var client: NameTemplate
    public var payload: Payload
    /// nil: write everything at once (as one write call, completed as the socket allows).
    public var delivery: Delivery?
    /// Bound for the whole send, pauses included.
    public var within: Duration?
    /// `until closed`: the server closing or resetting the connection ends the send early
    /// without failing it (it still fails if neither the data nor the close is through in time).
    public var untilClosed = false
    public var location: SourceLocation

    public init(
        client: NameTemplate, payload: Payload, delivery: Delivery? = nil,
        within: Duration? = nil, location: SourceLocation
    ) {
        self.client = client
        self.payload = payload
        self.delivery = delivery
        self.within = within
        self.location = location
    }
}

/// What a `send` writes.
public enum Payload: Sendable, Equatable {
    /// `"text\r\n"`: the string's bytes.
    case text([UInt8])
    /// `hex "16 03 01"`
    case hex([UInt8])
    /// `file "fixtures/hello.bin"`: a path relative to the folder that holds checks.netlab.
    case file(String)
    /// `random SIZE [seed N] [as NAME]`
    case random(RandomData)
    /// `NAME`: data named earlier by `random … as NAME`, sent again.
    case named(NameTemplate)
    /// `hello …`: a ClientHello built afresh every time the step runs (see `HelloPayload`).
    case hello(HelloPayload)
    /// `put "k" "v" then get "k" then kv …`: key-value request frames, back to back (one write,
    /// unless a delivery cuts it up). See `KeyValueRequest`.
    case keyValue([KeyValueRequest])
    /// `ws text "hi" then ping "x" then close 1000`: WebSocket frames, back to back (one write,
    /// unless a delivery cuts it up). See `WebSocketFrame`.
    case webSocket([WebSocketFrame])
}

/// `random SIZE [seed N] [as NAME]`: pseudo-random bytes that are the same on every run.
public struct RandomData: Sendable, Equatable {
    public var size: Int
    /// nil: the interpreter derives the seed from the check's name and the data's name (or the
    /// step's line when unnamed), so every run sends the same bytes.
    public var seed: UInt64?
    /// `as NAME`: the bytes are remembered under this name for later `expect`s.
    public var name: NameTemplate?

    public init(size: Int, seed: UInt64? = nil, name: NameTemplate? = nil) {
        self.size = size
        self.seed = seed
        self.name = name
    }
}

/// How a `send` is cut up and paced.
public struct Delivery: Sendable, Equatable {
    public enum Chunking: Sendable, Equatable {
        /// `in chunks of SIZE`: pieces of SIZE bytes (the last may be shorter).
        case size(Int)
        /// `in N chunks`: N pieces of nearly equal size (sizes differ by at most one byte; when
        /// there are fewer bytes than N, one piece per byte).
        case count(Int)
    }

    public var chunking: Chunking
    /// `every T`: pause between two pieces; nil means no pause (separate writes only).
    public var pause: Duration?

    public init(chunking: Chunking, pause: Duration? = nil) {
        self.chunking = chunking
        self.pause = pause
    }
}

/// `shutdown NAME write`, `reset NAME`, `close NAME`.
public struct ClientAction: Sendable, Equatable {
    public var client: NameTemplate
    public var location: SourceLocation

    public init(client: NameTemplate, location: SourceLocation) {
        self.client = client
        self.location = location
    }
}

/// `fds as NAME`, `rss as NAME`, `cpu as NAME`.
public struct Capture: Sendable, Equatable {
    public var metric: Metric
    public var name: String
    public var location: SourceLocation

    public init(metric: Metric, name: String, location: SourceLocation) {
        self.metric = metric
        self.name = name
        self.location = location
    }
}

/// `sleep T`
public struct Sleep: Sendable, Equatable {
    public var duration: Duration
    public var location: SourceLocation

    public init(duration: Duration, location: SourceLocation) {
        self.duration = duration
        self.location = location
    }
}

/// The body of `repeat` and `parallel`.
public struct Loop: Sendable, Equatable {
    /// How many times the body runs (at least 1).
    public var count: Int
    /// `as i`: the name of the counter, 0 for the first run, up to `count - 1`.
    public var variable: String?
    public var body: [Step]
    public var location: SourceLocation

    public init(count: Int, variable: String? = nil, body: [Step], location: SourceLocation) {
        self.count = count
        self.variable = variable
        self.body = body
        self.location = location
    }
}
