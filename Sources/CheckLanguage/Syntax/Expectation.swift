/// `expect NAME …` for a client.
public struct ClientExpectation: Sendable, Equatable {
    public var client: NameTemplate
    public var expectation: StreamExpectation
    public var location: SourceLocation

    public init(client: NameTemplate, expectation: StreamExpectation, location: SourceLocation) {
        self.client = client
        self.expectation = expectation
        self.location = location
    }
}

/// `expect NAME …` for an upstream.
public struct UpstreamExpectation: Sendable, Equatable {
    public enum Condition: Sendable, Equatable {
        /// `received DATA`, `eof`, `reset`, `closed`, `silence for T` on the upstream's side of
        /// its latest connection (see docs/checks.md).
        case stream(StreamExpectation)
        /// `connections OP EXPR [within T]`: how many connections it has accepted so far.
        case connections(Comparison, within: Duration?)
        /// `wait N OP EXPR`, `waits backoff …`: the pauses between its connections.
        case waits(WaitExpectation)
    }

    public var upstream: String
    public var condition: Condition
    public var location: SourceLocation

    public init(upstream: String, condition: Condition, location: SourceLocation) {
        self.upstream = upstream
        self.condition = condition
        self.location = location
    }
}

/// What a connection's reading side must see. For a client it is what the server sent; for an
/// upstream, what the server sent to the upstream.
public enum StreamExpectation: Sendable, Equatable {
    /// `DATA [within T]`: the next bytes not yet matched by an earlier `expect` are DATA (for a
    /// pattern: they contain a match; everything up to the end of the match counts as matched).
    case receives(ExpectedData, within: Duration?)
    /// `eof|reset|closed [after T] [within T]`: the connection ends that way, no sooner than
    /// `after` and no later than `within`, both measured from the start of the step.
    case ends(End, after: Duration?, within: Duration?)
    /// `silence for T`: nothing arrives and the connection does not end for T.
    case silence(for: Duration)
    /// `ok|not-ok|value V|reply … [within T]`: the next bytes not yet matched are one
    /// key-value reply frame (docs/kv-protocol.md) that holds what is given.
    case reply(ExpectedReply, within: Duration?)
    /// `ws text|binary|ping|pong|close … [within T]`: the next WebSocket frame from the server.
    case webSocket(ExpectedWebSocket, within: Duration?)
    /// `http status N [header NAME VALUE]… [within T]`: the next bytes are an HTTP response head.
    case http(ExpectedHTTPResponse, within: Duration?)

    public enum End: String, Sendable, Equatable, CaseIterable {
        /// A FIN (read returns 0) with no unmatched bytes before it.
        case eof
        /// A RST (ECONNRESET).
        case reset
        /// A FIN or a RST; unmatched bytes before it are ignored.
        case closed
    }
}

/// Bytes to compare against what was received.
public enum ExpectedData: Sendable, Equatable {
    /// `"text"`
    case text([UInt8])
    /// `hex "…"`
    case hex([UInt8])
    /// `file "…"`: a path relative to the folder that holds checks.netlab.
    case file(String)
    /// `NAME`: data named by `send … random … as NAME`.
    case named(NameTemplate)
    /// `/regex/`: matched against the received bytes read as UTF-8 text.
    case pattern(Pattern)
}

/// A `/regular expression/` in Swift `Regex` syntax. The parser has compiled it once (with
/// its references filled in), so `try Regex(rendered)` will succeed.
///
/// `{NAME.addr}` and `{NAME.port}` inside it stand for an address known only when the check
/// runs, matched literally: an upstream's (where it listens) or a client's (where it connects
/// from, which is what a server logs as its peer). `/^accepted {a.addr}$/` passes for the
/// client's address and fails for any other, such as the server's own.
public struct Pattern: Sendable, Hashable, CustomStringConvertible {
    /// A `{NAME.addr}` or `{NAME.port}` in the pattern, or a `{NAME.name}`: the server name that
    /// `send … hello sni random as NAME` made.
    public struct Reference: Sendable, Hashable {
        public enum Owner: Sendable, Hashable { case client, upstream, serverName }
        public var name: String
        public var owner: Owner
        /// `addr` (`127.0.0.1:40123`), `port` (`40123`) or, for a server name, `name`.
        public var field: String
        /// As written, braces included.
        public var text: String { "{\(name).\(field)}" }
    }

    /// The expression without the slashes, with `\/` turned into `/`, references as written.
    public var source: String
    public var references: [Reference]
    public var location: SourceLocation

    public init(source: String, references: [Reference] = [], location: SourceLocation) {
        self.source = source
        self.references = references
        self.location = location
    }

    /// The source with each reference replaced by its value (escaped: matched literally).
    public func rendered(_ value: (Reference) throws -> String) rethrows -> String {
        var out = ""
        for piece in Self.pieces(of: source) {
            switch piece {
            case .text(let text): out += text
            case .reference(let name, let field, let braced):
                if let reference = references.first(where: { $0.name == name && $0.field == field }) {
                    out += Self.escaped(try value(reference))
                } else {
                    out += braced  // not a reference the parser accepted: the expression's own
                }
            }
        }
        return out
    }

    /// A pattern's source cut into plain text and `{IDENT.FIELD}` candidates. A brace after a
    /// backslash, or whose inside is not `identifier.word`, is text (`\d{1,5}` stays whole).
    /// The parser checks the candidates; `rendered` fills in the ones it accepted.
    enum Piece: Equatable {
        case text(String)
        case reference(name: String, field: String, braced: String)
    }

    static func pieces(of source: String) -> [Piece] {
        var pieces: [Piece] = []
        var text = ""
        let scalars = Array(source.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "{", i == 0 || scalars[i - 1] != "\\",
                let close = scalars[i...].firstIndex(of: "}")
            {
                let inner = String(String.UnicodeScalarView(scalars[(i + 1)..<close]))
                let parts = inner.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                if parts.count == 2, Scope.isIdentifier(parts[0]), Scope.isIdentifier(parts[1]) {
                    if !text.isEmpty { pieces.append(.text(text)) }
                    text = ""
                    pieces.append(.reference(name: parts[0], field: parts[1], braced: "{\(inner)}"))
                    i = close + 1
                    continue
                }
            }
            text.unicodeScalars.append(scalars[i])
            i += 1
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        return pieces
    }

    /// `text` as a regular expression that matches exactly it.
    static func escaped(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            if (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == ":" || c == "-" {
                out.unicodeScalars.append(c)
            } else {
                out += "\\"
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    public var description: String {
        var out = "/"
        for c in source { if c == "/" { out += "\\/" } else { out.append(c) } }
        return out + "/"
    }
}

/// `expect server …`
public struct ServerExpectation: Sendable, Equatable {
    public enum Condition: Sendable, Equatable {
        /// `log /re/ [within T]`: a line the server wrote to stderr matches (each line can satisfy
        /// only one `log` expectation, so repeating it counts lines).
        case log(Pattern, within: Duration?)
        /// `no log /re/ [for T]`: no line so far matches, nor during the next T (when given).
        case noLog(Pattern, for: Duration?)
        /// `log /re/ count OP EXPR [for T | within T]`: the number of lines of the whole run that
        /// match compares as given: now; all through the next T (`for`); or by the end of the next
        /// T (`within`: a count that has to grow, `>= 200`, waits for the lines still coming).
        case logCount(Pattern, Comparison, for: Duration?, within: Duration? = nil)
        /// `alive [for T]`: the process is running now (and still is after T, when given).
        case alive(for: Duration?)
        /// `exited [status N] [within T]`: the process ends (with that exit status, when given).
        case exited(status: Int?, within: Duration?)
        /// `fds|sockets|threads|rss|peak-rss|cpu OP EXPR [within T]`: a measurement from /proc satisfies the comparison;
        /// retried until it does or the bound runs out.
        case metric(Metric, Comparison, within: Duration?)
        /// `cpu-usage OP PERCENT for T`: the CPU time the server uses during the next T, as a
        /// percentage of T (of one core), compares as given; known only once T has passed.
        case cpuUsage(CPUUsage)
    }

    public var condition: Condition
    public var location: SourceLocation

    public init(condition: Condition, location: SourceLocation) {
        self.condition = condition
        self.location = location
    }
}

/// `cpu-usage OP PERCENT for T`: how busy the server is over a window, as a percentage of one
/// core (200% is two cores, busy all the time).
public struct CPUUsage: Sendable, Equatable {
    public var op: Comparison.Operator
    /// The percentage written, such as 5 for `5%` (0 to ``maximumPercent``).
    public var percent: Double
    /// The window (`for T`): the step lasts that long.
    public var window: Duration

    /// The largest percentage a script may write: 100 cores, busy all the time.
    public static let maximumPercent = 10_000.0
    /// The shortest window: the kernel counts CPU time in ticks of 10 ms, so a shorter window
    /// could not tell 0% from 100%.
    public static let minimumWindow = Duration.milliseconds(100)

    public init(op: Comparison.Operator, percent: Double, window: Duration) {
        self.op = op
        self.percent = percent
        self.window = window
    }

    /// `5%`, `0.5%`: a percentage as a script writes it.
    public static func text(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        if rounded == rounded.rounded(), rounded < 1e15 { return "\(Int(rounded))%" }
        return "\(rounded)%"
    }
}

/// What netlab can measure about the server process.
public enum Metric: String, Sendable, Equatable, CaseIterable {
    /// Open file descriptors (`/proc/PID/fd`): a count.
    case fds
    /// Open sockets: the descriptors of `/proc/PID/fd` that are sockets (`socket:[INODE]`), a
    /// count. What a connection leak leaves behind, unlike a pool of pipes or files.
    case sockets
    /// Threads of the process (`Threads:` in `/proc/PID/status`): a count. How a
    /// thread-per-connection server grows with its clients, and whether it lets them go.
    case threads
    /// Resident memory (`VmRSS` in `/proc/PID/status`): a size in bytes.
    case rss
    /// CPU time used, user + system (`/proc/PID/stat`): a duration.
    case cpu
    /// The most resident memory the process has had since it started (`VmHWM`): a size. It
    /// catches a burst that is over by the time anyone looks at `rss`.
    case peakRSS = "peak-rss"

    public var quantity: Quantity {
        switch self {
        case .fds, .sockets, .threads: .count
        case .rss, .peakRSS: .bytes
        case .cpu: .duration
        }
    }
}

/// The kind of number a comparison works on.
public enum Quantity: String, Sendable, Equatable {
    case count, bytes, duration
}

/// `OP EXPR`, as in `<= base + 2`.
public struct Comparison: Sendable, Equatable {
    public enum Operator: String, Sendable, Equatable, CaseIterable {
        case less = "<"
        case lessOrEqual = "<="
        case equal = "=="
        case notEqual = "!="
        case greaterOrEqual = ">="
        case greater = ">"
    }

    public var op: Operator
    public var rhs: Expression

    public init(op: Operator, rhs: Expression) {
        self.op = op
        self.rhs = rhs
    }
}

/// `TERM { (+|-) TERM }`: a sum of literals, captured measurements and loop counters.
///
/// Count and byte expressions evaluate to `Int` (`.duration` operands cannot occur in them);
/// duration expressions evaluate to `Duration` (only `.duration` literals and captures of `cpu`
/// occur in them). The parser has checked this against `quantity`.
public struct Expression: Sendable, Equatable {
    public struct Term: Sendable, Equatable {
        public enum Sign: Sendable, Equatable { case plus, minus }
        public var sign: Sign
        public var operand: Operand
        public var location: SourceLocation

        public init(sign: Sign, operand: Operand, location: SourceLocation) {
            self.sign = sign
            self.operand = operand
            self.location = location
        }
    }

    public enum Operand: Sendable, Equatable {
        /// `2`: a count, or bytes in a size expression.
        case integer(Int)
        /// `64MiB`, in bytes.
        case size(Int)
        /// `200ms`
        case duration(Duration)
        /// `base`: a value remembered by `fds|rss|cpu as base` earlier in the check.
        case capture(String)
        /// `i`: the counter of an enclosing loop (a count).
        case loopVariable(String)
    }

    /// The first term's sign is always `.plus`.
    public var terms: [Term]
    public var quantity: Quantity
    public var location: SourceLocation

    public init(terms: [Term], quantity: Quantity, location: SourceLocation) {
        self.terms = terms
        self.quantity = quantity
        self.location = location
    }
}
