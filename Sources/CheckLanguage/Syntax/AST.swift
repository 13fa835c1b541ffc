/// A parsed `checks.netlab`: the lesson's graded checks.
///
/// Every check runs against a fresh server process, started from the check's own `start` line or
/// else from the file's `start` line, after the file's and the check's upstreams are listening.
public struct CheckScript: Sendable, Equatable {
    /// The file name given to the parser; every `SourceLocation` in the script uses it.
    public var file: String
    /// The file's `start` line: flags for every check that has no `start` of its own.
    public var defaultStart: StartSpec?
    /// The file's `timeout`: the bound of every step that gives none
    /// (``CheckScript/builtInStepTimeout`` when nil).
    public var defaultTimeout: Duration?
    /// Upstreams declared at the top of the file: every check gets fresh ones.
    public var upstreams: [Upstream]
    /// The checks, in file order.
    public var checks: [Check]
    /// The source, line by line, for transcripts that quote the step being run.
    public var sourceLines: [String]

    public init(
        file: String, defaultStart: StartSpec? = nil,
        defaultTimeout: Duration? = nil, upstreams: [Upstream] = [], checks: [Check] = [],
        sourceLines: [String] = []
    ) {
        self.file = file
        self.defaultStart = defaultStart
        self.defaultTimeout = defaultTimeout
        self.upstreams = upstreams
        self.checks = checks
        self.sourceLines = sourceLines
    }

    /// The bound of a step that gives none, when the file has no `timeout` line.
    public static let builtInStepTimeout: Duration = .seconds(5)
    /// The bound of a whole check that gives no `timeout` line of its own.
    public static let builtInCheckTimeout: Duration = .seconds(60)

    /// The bound of a step that gives none.
    public var stepTimeout: Duration { defaultTimeout ?? Self.builtInStepTimeout }

    /// The source text of a line (trimmed), for transcripts: `expect a closed after 250ms within 2s`.
    public func sourceText(at location: SourceLocation) -> String {
        guard location.line >= 1, location.line <= sourceLines.count else { return "" }
        var text = Substring(sourceLines[location.line - 1])
        while let c = text.first, c == " " || c == "\t" { text.removeFirst() }
        while let c = text.last, c == " " || c == "\t" { text.removeLast() }
        return String(text)
    }
}

/// One graded check: `check "name" [points N]` and the lines up to the next `check`.
public struct Check: Sendable, Equatable {
    public var name: String
    /// 1 unless the check line says `points N`.
    public var points: Int
    /// Shown when the check fails.
    public var hint: String?
    /// Bound for the whole check (``CheckScript/builtInCheckTimeout`` when nil).
    public var timeout: Duration?
    /// The check's own `start` line; nil means the file's `defaultStart`.
    public var start: StartSpec?
    /// `limit fds N`: the program starts with at most N descriptors (RLIMIT_NOFILE), so that a
    /// check can run it out of them (accept then fails with EMFILE) without thousands of clients.
    public var descriptorLimit: Int?
    /// Upstreams only this check uses, in addition to the file's.
    public var upstreams: [Upstream]
    public var steps: [Step]
    /// Where the `check` keyword is.
    public var location: SourceLocation

    public init(
        name: String, points: Int = 1, hint: String? = nil, timeout: Duration? = nil,
        start: StartSpec? = nil, upstreams: [Upstream] = [], steps: [Step] = [],
        location: SourceLocation
    ) {
        self.name = name
        self.points = points
        self.hint = hint
        self.timeout = timeout
        self.start = start
        self.upstreams = upstreams
        self.steps = steps
        self.location = location
    }
}

/// `start ARG…`: how to start the lesson program. Each argument is one element of argv (after the
/// program itself), with placeholders filled in.
public struct StartSpec: Sendable, Equatable {
    public var arguments: [Template]
    public var location: SourceLocation

    public init(arguments: [Template], location: SourceLocation) {
        self.arguments = arguments
        self.location = location
    }
}

/// `upstream KIND as NAME`: a peer that netlab runs for the check, usually the server's upstream.
/// It listens on 127.0.0.1 at a free port (`{NAME.addr}`) before the server starts, accepts every
/// connection, and records what each connection received.
public struct Upstream: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Writes back every byte it reads; half-closes when the other side does.
        case echo
        /// Reads and records everything, writes nothing; closes when the other side does.
        case sink
        /// Reads until the other side half-closes, then writes back everything it read and closes:
        /// a request–response peer whose reply exists only after the end of the request, so a
        /// proxy that drops the reply after the client's half-close is caught every time.
        case replyAtEOF
        /// Accepts and then does nothing: never reads, never writes, never closes.
        case silent
        /// Accepts and closes at once.
        case close
        /// Writes `hello from upstream\n`, half-closes at once, and goes on reading and
        /// recording: a server that has said all it will, whose client may still be sending.
        case halfClose
        /// Nothing listens at its address: connecting is refused.
        case refuse
        /// Something listens, but its accept queue is kept full, so the kernel drops every
        /// connection attempt and a dial waits until its own timeout: an upstream that never
        /// answers, on loopback.
        case blackhole
        /// A TLS server that echoes, like `echo`, inside TLS.
        case tlsEcho(TLSServerOptions)

        /// The keyword as written in scripts.
        public var keyword: String {
            switch self {
            case .echo: "echo"
            case .sink: "sink"
            case .replyAtEOF: "reply-at-eof"
            case .silent: "silent"
            case .close: "close"
            case .halfClose: "half-close"
            case .refuse: "refuse"
            case .blackhole: "blackhole"
            case .tlsEcho: "tls-echo"
            }
        }

        /// Whether the peer reads, so that `expect NAME received …` can ever pass.
        public var reads: Bool {
            switch self {
            case .echo, .sink, .replyAtEOF, .halfClose, .tlsEcho: true
            case .silent, .close, .refuse, .blackhole: false
            }
        }
    }

    public var name: String
    public var kind: Kind
    /// `down for T`, `reset first N`, `close after SIZE` (only on `echo` and `sink`).
    public var faults: UpstreamFaults
    public var location: SourceLocation

    public init(name: String, kind: Kind, faults: UpstreamFaults = UpstreamFaults(), location: SourceLocation) {
        self.name = name
        self.kind = kind
        self.faults = faults
        self.location = location
    }
}

/// Options of `upstream tls-echo`.
public struct TLSServerOptions: Sendable, Equatable {
    /// Certificate file; nil means netlab's localhost certificate (`{cert}`).
    public var certificate: Template?
    /// Private key file; nil means the key of netlab's localhost certificate (`{key}`).
    public var key: Template?
    /// ALPN protocols it accepts, in preference order; empty means it does not negotiate ALPN.
    public var alpn: [String]

    public init(certificate: Template? = nil, key: Template? = nil, alpn: [String] = []) {
        self.certificate = certificate
        self.key = key
        self.alpn = alpn
    }
}
