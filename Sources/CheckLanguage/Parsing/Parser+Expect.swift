/// `expect …` and the comparisons it uses.
extension ScriptParser {
    static let streamKeywords = ["eof", "reset", "closed", "silence", "received"]
    static let serverKeywords = ["log", "no", "alive", "exited", "fds", "sockets", "threads", "rss", "peak-rss", "cpu", "cpu-usage"]

    func expect(_ cursor: inout Cursor, at: SourceLocation) throws(ScriptError) -> Step {
        guard let t = cursor.peek, t.kind == .word else {
            throw cursor.unexpected("what to expect after `expect`: `server` or a client or upstream name")
        }
        if t.text == "server" {
            _ = cursor.next()
            return .expectServer(ServerExpectation(condition: try serverCondition(&cursor), location: at))
        }
        if let upstream = scope.upstream(named: t.text) {
            _ = cursor.next()
            return .expectUpstream(
                UpstreamExpectation(
                    upstream: upstream.name, condition: try upstreamCondition(&cursor, upstream), location: at))
        }
        if t.kind == .word, current?.scrapes.contains(t.text) == true {
            _ = cursor.next()
            return .expectScrape(ScrapeExpectation(scrape: t.text, condition: try scrapeCondition(&cursor, scrape: t.text), location: at))
        }
        if t.kind == .word, cursor.line.tokens.count > cursor.index + 1,
            ["valid", "metric", "type"].contains(cursor.line.tokens[cursor.index + 1].text),
            current?.clients.contains(where: { $0.overlaps(NamePattern(NameTemplate(t.text, location: at))) }) != true
        {
            throw ScriptError(
                "unknown scrape `\(Token.abbreviate(t.text))`; expected `scrape \(Token.abbreviate(t.text)) \"/metrics\"` earlier in the check",
                at: cursor.here)
        }
        let client = try nameTemplate(&cursor, what: "a client name after `expect`")
        try checkDeclared(client, in: current?.clients ?? [], what: "client", introducedBy: "connect \(client)")
        _ = cursor.accept("received")
        if cursor.accept("ws") {
            return .expectClient(ClientExpectation(client: client, expectation: try webSocketExpectation(&cursor), location: at))
        }
        if cursor.accept("http") {
            return .expectClient(ClientExpectation(client: client, expectation: try httpExpectation(&cursor), location: at))
        }
        if let w = cursor.peek, w.kind == .word, Self.replyWords.contains(w.text) {
            return .expectClient(ClientExpectation(client: client, expectation: try replyExpectation(&cursor), location: at))
        }
        let expectation = try streamExpectation(&cursor, subject: client.description)
        return .expectClient(ClientExpectation(client: client, expectation: expectation, location: at))
    }

    func upstreamCondition(_ cursor: inout Cursor, _ upstream: Upstream) throws(ScriptError) -> UpstreamExpectation.Condition {
        let name = upstream.name
        if cursor.accept("connections") {
            let comparison = try comparison(&cursor, quantity: .count, subject: "connections")
            var within: Duration?
            try optionLoop(&cursor, ["within"]) { (_, cursor) throws(ScriptError) in
                within = try cursor.duration(after: "within")
            }
            return .connections(comparison, within: within)
        }
        if cursor.accept("received") {
            guard upstream.kind.reads else {
                throw ScriptError(
                    "upstream `\(name)` is `\(upstream.kind.keyword)`: it never reads, so it cannot have received anything; use `echo` or `sink` to record what the server sends",
                    at: cursor.location(of: cursor.line.tokens[cursor.index - 1]))
            }
            return .stream(try streamExpectation(&cursor, subject: name, dataOnly: true))
        }
        if let t = cursor.peek, t.kind == .word, ["eof", "reset", "closed", "silence"].contains(t.text) {
            return .stream(try streamExpectation(&cursor, subject: name))
        }
        if let t = cursor.peek, t.kind == .word, t.text == "wait" || t.text == "waits" {
            return .waits(try waitExpectation(&cursor, upstream: name))
        }
        if let t = cursor.peek, t.kind == .string || t.kind == .pattern || (t.kind == .word && ["hex", "file"].contains(t.text)) {
            throw ScriptError(
                "what an upstream got is written `expect \(name) received …`; expected `received` before the data", at: cursor.location(of: t))
        }
        let hint =
            cursor.peek.flatMap {
                $0.kind == .word
                    ? Suggestion.didYouMean($0.text, in: ["received", "eof", "reset", "closed", "silence", "connections", "wait", "waits"]) : nil
            } ?? ""
        throw cursor.unexpected(
            "`received`, `eof`, `reset`, `closed`, `silence`, `connections`, `wait` or `waits` after `expect \(name)`", hint: hint)
    }

    /// What a client (or upstream) reads: data, an end, or silence.
    func streamExpectation(_ cursor: inout Cursor, subject: String, dataOnly: Bool = false) throws(ScriptError) -> StreamExpectation {
        let what =
            dataOnly
            ? "the data after \(cursor.sofar): a string, `hex \"…\"`, `file \"…\"`, a /pattern/ or a name given by `random … as NAME`"
            : "what `\(subject)` should get after \(cursor.sofar): a string, `hex \"…\"`, `file \"…\"`, a /pattern/, a data name, `eof`, `reset`, `closed`, "
                + "`silence for T`, a key-value reply (`ok`, `not-ok`, `value V`, `reply …`), `ws …` or `http status N`"
        guard let t = cursor.peek else { throw cursor.unexpected(what) }
        if t.kind == .word, !dataOnly {
            switch t.text {
            case "eof", "reset", "closed":
                _ = cursor.next()
                let end = StreamExpectation.End(rawValue: t.text) ?? .closed
                var after: Duration?
                var within: Duration?
                try optionLoop(&cursor, ["after", "within"]) { (option, cursor) throws(ScriptError) in
                    if option == "after" {
                        after = try cursor.duration(after: "after", positive: false)
                    } else {
                        within = try cursor.duration(after: "within")
                    }
                }
                if let after, let within, after >= within {
                    throw ScriptError(
                        "`after \(after.scriptText)` is not shorter than `within \(within.scriptText)`; expected an `after` bound below the `within` bound",
                        at: cursor.location(of: t))
                }
                return .ends(end, after: after, within: within)
            case "silence":
                _ = cursor.next()
                try cursor.expectWord("for", "after `silence`, as in `silence for 500ms`")
                let duration = try cursor.duration(after: "for")
                try cursor.expectEnd()
                return .silence(for: duration)
            default:
                break
            }
        }
        let data = try expectedData(&cursor, what: what)
        var within: Duration?
        try optionLoop(&cursor, ["within"]) { (_, cursor) throws(ScriptError) in
            within = try cursor.duration(after: "within")
        }
        return .receives(data, within: within)
    }

    func expectedData(_ cursor: inout Cursor, what: String) throws(ScriptError) -> ExpectedData {
        guard let t = cursor.peek else { throw cursor.unexpected(what) }
        switch t.kind {
        case .string:
            _ = cursor.next()
            let bytes = try StringLiteral.bytes(t.raw, column: t.column, line: cursor.line.number, file: file)
            if bytes.isEmpty {
                throw ScriptError("empty string: every expectation must wait for something; expected \(what)", at: cursor.location(of: t))
            }
            return .text(bytes)
        case .pattern:
            _ = cursor.next()
            return .pattern(try pattern(t, cursor))
        case .word where t.text == "hex":
            _ = cursor.next()
            return .hex(try hexString(&cursor))
        case .word where t.text == "file":
            _ = cursor.next()
            return .file(try filePath(&cursor))
        case .word where t.text == "random":
            throw ScriptError("`random` makes data to send; to compare, send it with `random SIZE as x` and expect `x`", at: cursor.location(of: t))
        case .word:
            let declared = current?.data ?? []
            if let first = t.raw.first, Lexer.isLetter(first) || first == "_" {
                let probe = NamePattern(NameTemplate(t.text, location: cursor.here))
                if !t.text.contains("{"), !declared.contains(where: { $0.overlaps(probe) }) {
                    let keywords = Self.streamKeywords + ["hex", "file", "ws", "http"] + Self.replyWords
                    if let near = Suggestion.nearest(to: t.text, in: keywords) {
                        throw ScriptError(
                            "unknown word `\(Token.abbreviate(t.text))` (did you mean `\(near)`?); expected \(what)", at: cursor.location(of: t))
                    }
                }
            }
            let name = try nameTemplate(&cursor, what: what)
            try checkDeclared(name, in: declared, what: "data name", introducedBy: "send … random SIZE as \(name)")
            return .named(name)
        default:
            throw cursor.unexpected(what)
        }
    }

    /// Decodes and compiles a `/pattern/` token.
    func pattern(_ t: Token, _ cursor: Cursor) throws(ScriptError) -> Pattern {
        var source = ""
        var i = 1
        let raw = t.raw
        while i < raw.count - 1 {
            if raw[i] == "\\", i + 1 < raw.count - 1, raw[i + 1] == "/" {
                source += "/"
                i += 2
                continue
            }
            source.unicodeScalars.append(raw[i])
            i += 1
        }
        let location = cursor.location(of: t)
        guard !source.isEmpty else {
            throw ScriptError("empty pattern `//`; expected a regular expression between the slashes", at: location)
        }
        if let nested = PatternSafety.nestedRepetition(in: Array(raw[1..<(raw.count - 1)])) {
            let at = SourceLocation(file: location.file, line: location.line, column: location.column + 1 + nested.offset)
            throw ScriptError(
                "`\(Token.abbreviate(nested.text))` repeats a group that itself repeats without bound: such a pattern can "
                    + "take hours to fail on a line of 40 characters (catastrophic backtracking); expected a pattern without "
                    + "an unbounded repetition inside a repeated group, such as `a+` for `(a+)+`", at: at)
        }
        let references = try patternReferences(in: source, at: location)
        // Compiled with stand-ins for the references, which are known only when the check runs.
        let pattern = Pattern(source: source, references: references, location: location)
        do {
            _ = try Regex(pattern.rendered { $0.field == "port" ? "1" : $0.field == "name" ? "a.test" : "127.0.0.1:1" })
        } catch {
            let reason = "\(error)".split(separator: "\n").first.map(String.init) ?? "invalid"
            throw ScriptError("invalid regular expression /\(Token.abbreviate(source))/: \(reason)", at: location)
        }
        return pattern
    }

    /// The `{NAME.addr}`, `{NAME.port}` and `{NAME.name}` in a pattern's source (see
    /// `Pattern.pieces`): an address must name an upstream, or a client connected earlier in the
    /// check; a name, a server name bound earlier by `send … hello sni random as NAME`.
    func patternReferences(in source: String, at location: SourceLocation) throws(ScriptError) -> [Pattern.Reference] {
        var found: [Pattern.Reference] = []
        for case .reference(let name, let field, let braced) in Pattern.pieces(of: source) {
            guard field == "addr" || field == "port" || field == "name" else {
                let isServerName = (current?.serverNames ?? []).contains(name)
                let isPeer = scope.upstream(named: name) != nil || (current?.clients ?? []).contains { $0.source.parts == [.literal(name)] }
                let fits =
                    isServerName && !isPeer
                    ? "`{\(name).name}`"
                    : isPeer && !isServerName
                        ? "`{\(name).addr}` or `{\(name).port}`"
                        : "`{\(name).addr}`, `{\(name).port}` or `{\(name).name}`"
                throw ScriptError("`\(Token.abbreviate(braced))` in a pattern; expected \(fits)", at: location)
            }
            let owner: Pattern.Reference.Owner
            if field == "name" {
                guard (current?.serverNames ?? []).contains(name) else {
                    throw ScriptError(
                        "`{\(name).name}` in a pattern names no server name made earlier in this check; "
                            + "expected `send … hello sni random as \(name)` before it", at: location)
                }
                owner = .serverName
            } else if scope.upstream(named: name) != nil {
                owner = .upstream
            } else if (current?.clients ?? []).contains(where: { $0.source.parts == [.literal(name)] }) {
                owner = .client
            } else {
                throw ScriptError(
                    "`{\(name).\(field)}` in a pattern names no upstream and no client connected earlier in this check; "
                        + "expected an upstream's or a client's name", at: location)
            }
            let reference = Pattern.Reference(name: name, owner: owner, field: field)
            if !found.contains(reference) { found.append(reference) }
        }
        return found
    }

    // MARK: Server

    func serverCondition(_ cursor: inout Cursor) throws(ScriptError) -> ServerExpectation.Condition {
        guard let t = cursor.peek, t.kind == .word, Self.serverKeywords.contains(t.text) else {
            let hint = cursor.peek.flatMap { $0.kind == .word ? Suggestion.didYouMean($0.text, in: Self.serverKeywords) : nil } ?? ""
            throw cursor.unexpected(
                "`log`, `no log`, `alive`, `exited`, `fds`, `sockets`, `threads`, `rss`, `peak-rss`, `cpu` or `cpu-usage` after `expect server`",
                hint: hint)
        }
        _ = cursor.next()
        switch t.text {
        case "log":
            let p = try patternArgument(&cursor, after: "log")
            if cursor.peek?.kind == .word, cursor.peek?.text == "count" {
                _ = cursor.next()
                let c = try comparison(&cursor, quantity: .count, subject: "count")
                var duration: Duration?
                var within: Duration?
                try optionLoop(&cursor, ["for", "within"]) { (option, cursor) throws(ScriptError) in
                    let at = cursor.location(of: cursor.peek)
                    if option == "for" { duration = try cursor.duration(after: "for") } else { within = try cursor.duration(after: "within") }
                    if duration != nil, within != nil {
                        throw ScriptError(
                            "give `for T` (the count holds all through T) or `within T` (it comes to hold by T), not both", at: at)
                    }
                }
                return .logCount(p, c, for: duration, within: within)
            }
            var within: Duration?
            try optionLoop(&cursor, ["within"]) { (_, cursor) throws(ScriptError) in
                within = try cursor.duration(after: "within")
            }
            return .log(p, within: within)
        case "no":
            try cursor.expectWord("log", "after `expect server no`, as in `expect server no log /panic/ for 1s`")
            let p = try patternArgument(&cursor, after: "log")
            var duration: Duration?
            try optionLoop(&cursor, ["for"]) { (_, cursor) throws(ScriptError) in
                duration = try cursor.duration(after: "for")
            }
            return .noLog(p, for: duration)
        case "alive":
            var duration: Duration?
            try optionLoop(&cursor, ["for"]) { (_, cursor) throws(ScriptError) in
                duration = try cursor.duration(after: "for")
            }
            return .alive(for: duration)
        case "exited":
            var status: Int?
            var within: Duration?
            try optionLoop(&cursor, ["status", "within"]) { (option, cursor) throws(ScriptError) in
                if option == "status" {
                    status = try cursor.integer(after: "status", what: "an exit status from 0 to 255", minimum: 0, maximum: 255)
                } else {
                    within = try cursor.duration(after: "within")
                }
            }
            return .exited(status: status, within: within)
        case "cpu-usage":
            return .cpuUsage(try cpuUsage(&cursor))
        default:
            let metric = Metric(rawValue: t.text) ?? .fds
            let c = try comparison(&cursor, quantity: metric.quantity, subject: metric.rawValue)
            var within: Duration?
            try optionLoop(&cursor, ["within"]) { (_, cursor) throws(ScriptError) in
                within = try cursor.duration(after: "within")
            }
            return .metric(metric, c, within: within)
        }
    }

    func patternArgument(_ cursor: inout Cursor, after keyword: String) throws(ScriptError) -> Pattern {
        guard let t = cursor.peek, t.kind == .pattern else {
            let hint = cursor.peek?.kind == .string ? " (log lines are matched with a /pattern/, not a string)" : ""
            throw cursor.unexpected("a /pattern/ after `\(keyword)`, such as /accepted 127\\.0\\.0\\.1/", hint: hint)
        }
        _ = cursor.next()
        return try pattern(t, cursor)
    }

}
