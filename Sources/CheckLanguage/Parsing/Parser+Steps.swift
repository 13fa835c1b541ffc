/// The steps other than `expect`.
extension ScriptParser {
    func step(_ command: String, _ cursor: inout Cursor, at: SourceLocation) throws(ScriptError) {
        switch command {
        case "connect", "tls-connect":
            append(.connect(try connect(&cursor, at: at, tls: command == "tls-connect")))
        case "send":
            append(.send(try send(&cursor, at: at)))
        case "shutdown":
            let client = try usedClient(&cursor, after: "shutdown")
            guard cursor.accept("write") else {
                throw cursor.unexpected("`write` after \(cursor.sofar) (a client can only half-close its sending side: `shutdown \(client) write`)")
            }
            try cursor.expectEnd()
            append(.shutdownWrite(ClientAction(client: client, location: at)))
        case "reset", "close":
            let client = try usedClient(&cursor, after: command)
            try cursor.expectEnd()
            let action = ClientAction(client: client, location: at)
            append(command == "reset" ? .reset(action) : .close(action))
        case "expect":
            append(try expect(&cursor, at: at))
        case "fds", "sockets", "threads", "rss", "peak-rss", "cpu":
            let metric = Metric(rawValue: command) ?? .fds
            try cursor.expectWord("as", "and a name after `\(command)`, as in `\(command) as base`")
            let name = try plainName(&cursor, what: "a name for the measurement after `as`")
            if blocks.contains(where: { $0.variable == name.text }) {
                throw ScriptError("`\(name.text)` is already the counter of an enclosing loop; choose another name", at: name.location)
            }
            try cursor.expectEnd()
            current?.captures[name.text] = metric
            append(.capture(Capture(metric: metric, name: name.text, location: at)))
        case "stop":
            try cursor.expectEnd()
            append(.stop(at))
        case "sleep":
            let duration = try cursor.duration(after: "sleep")
            try cursor.expectEnd()
            append(.sleep(Sleep(duration: duration, location: at)))
        case "scrape":
            append(.scrape(try scrape(&cursor, at: at)))
        case "repeat", "parallel":
            do {
                try loopHeader(command, &cursor, at: at)
            } catch {
                openBrokenBlock(command, &cursor, at: at)
                throw error
            }
        default:
            throw unknownCommand(command, at: at, allowed: Self.stepCommands)
        }
    }

    static let maximumRepeat = 1_000_000
    static let maximumParallel = 10_000

    /// `repeat N [as i]`, `parallel N [as i]`: opens a block.
    func loopHeader(_ command: String, _ cursor: inout Cursor, at: SourceLocation) throws(ScriptError) {
        let maximum = command == "parallel" ? Self.maximumParallel : Self.maximumRepeat
        let count = try cursor.integer(after: command, what: "a number of times (1 or more)", minimum: 1, maximum: maximum)
        var variable: String? = nil
        if cursor.accept("as") {
            let name = try plainName(&cursor, what: "a loop variable name after `as`, such as `i`")
            if Placeholder.builtIns[name.text] != nil {
                throw ScriptError("`\(name.text)` is a placeholder name (`{\(name.text)}`); choose another loop variable name", at: name.location)
            }
            if let outer = blocks.first(where: { $0.variable == name.text }) {
                throw ScriptError(
                    "`\(name.text)` is already the counter of the `\(outer.command)` at line \(outer.location.line); choose another name",
                    at: name.location)
            }
            variable = name.text
        }
        try cursor.expectEnd(variable == nil ? ["as"] : [])
        if command == "parallel" { try checkParallelCopies(count, at: at) }
        if blocks.count >= Self.maximumNesting {
            // Reported once, at the first block too deep; deeper ones are only tracked.
            if blocks.count == Self.maximumNesting {
                throw ScriptError(
                    "blocks nested more than \(Self.maximumNesting) deep; expected at most \(Self.maximumNesting) levels of `repeat` and `parallel`",
                    at: at)
            }
            openBlock(Block(command: command, count: count, variable: variable, broken: true, location: at))
            return
        }
        openBlock(Block(command: command, count: count, variable: variable, broken: false, location: at))
    }

    // MARK: Clients

    /// `connect NAME [to ADDR] [within T] [fails]`, `tls-connect NAME … [sni HOST] [ca FILE | no-verify] [alpn P,…]`
    func connect(_ cursor: inout Cursor, at: SourceLocation, tls: Bool) throws(ScriptError) -> Connect {
        let command = tls ? "tls-connect" : "connect"
        let client = try nameTemplate(&cursor, what: "a client name after `\(command)`, such as `a` or `c{i}`")
        try declareClient(client)
        var step = Connect(client: client, location: at)
        var options = TLSClientOptions(verification: .ca(Template(parts: [.placeholder(.ca)], location: at)))
        var raws: [RawPlaceholder] = []
        var caLocation: SourceLocation?
        var noVerifyLocation: SourceLocation?
        let names = ["to", "no-read", "within", "fails"] + (tls ? ["sni", "ca", "no-verify", "alpn"] : ["websocket", "no-pong"])
        var noPongLocation: SourceLocation?
        try optionLoop(&cursor, names) { (option, cursor) throws(ScriptError) in
            switch option {
            case "to":
                let token = cursor.peek
                let (t, r) = try self.templateArgument(&cursor, what: "an address after `to`, such as {up.addr} or \"127.0.0.1:9\"")
                if let literal = t.literalValue, !literal.contains(":") {
                    let hint = self.scope.upstream(named: literal) != nil ? " (did you mean `{\(literal).addr}`?)" : ""
                    throw ScriptError(
                        "`\(Token.abbreviate(literal))` is not an address\(hint); expected HOST:PORT, such as {up.addr} or \"127.0.0.1:9\"",
                        at: cursor.location(of: token))
                }
                for raw in r {
                    switch raw.placeholder {
                    case .ca, .cert, .key, .fixtures, .tmp:
                        throw ScriptError(
                            "`{\(raw.placeholder)}` is a file or folder, not an address; expected HOST:PORT, such as {up.addr} or \"127.0.0.1:9\"",
                            at: raw.location)
                    default:
                        break
                    }
                }
                step.target = t
                raws += r
            case "within":
                step.within = try cursor.duration(after: "within")
            case "fails":
                step.expectFailure = true
            case "no-read":
                step.readsNothing = true
            case "websocket":
                let path = try cursor.text("a request path after `websocket`, such as \"/chat\"")
                guard path.hasPrefix("/"), path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
                    throw ScriptError(
                        "\"\(Token.abbreviate(path))\" is not a request path; expected one that starts with `/` and has no spaces, such as \"/chat\"",
                        at: cursor.location(of: cursor.line.tokens[cursor.index - 1]))
                }
                step.webSocket = WebSocketConnect(path: path)
            case "no-pong":
                noPongLocation = cursor.location(of: cursor.line.tokens[cursor.index - 1])
            case "sni":
                guard let t = cursor.peek, t.kind == .word || t.kind == .string else {
                    throw cursor.unexpected("a server name after `sni`, such as `example.test`")
                }
                _ = cursor.next()
                let name =
                    t.kind == .word
                    ? t.text
                    : try StringLiteral.text(t.raw, column: t.column, line: cursor.line.number, file: self.file, what: "a server name")
                guard !name.isEmpty, !name.contains("{") else {
                    throw ScriptError(
                        "`\(Token.abbreviate(t.text))` is not a server name; expected a host name such as `example.test`", at: cursor.location(of: t))
                }
                options.serverName = name
            case "ca":
                caLocation = cursor.here
                let (t, r) = try self.templateArgument(&cursor, what: "a CA certificate file after `ca`, such as {ca}")
                options.verification = .ca(t)
                raws += r
            case "no-verify":
                noVerifyLocation = cursor.location(of: cursor.line.tokens[cursor.index - 1])
                options.verification = .off
            default:
                options.alpn = try self.protocolList(&cursor)
            }
        }
        if let ca = caLocation, let noVerify = noVerifyLocation {
            throw ScriptError("`no-verify` contradicts `ca` (column \(ca.column)); keep one", at: noVerify)
        }
        if let noPongLocation {
            guard step.webSocket != nil else {
                throw ScriptError("`no-pong` is for a WebSocket client; add `websocket \"/path\"`", at: noPongLocation)
            }
            step.webSocket?.answersPings = false
        }
        try validate(raws, scope: scope)
        if tls { step.tls = options }
        return step
    }

    static let reservedDataNames: Set<String> = [
        "eof", "reset", "closed", "silence", "received", "hex", "file", "random", "connections", "server",
        "within", "after", "for", "in", "every", "seed", "as", "put", "get", "kv", "then", "ok", "not-ok", "value", "reply",
        "ws", "http",
    ]

    /// Records a client name introduced by `connect`.
    func declareClient(_ name: NameTemplate) throws(ScriptError) {
        if let s = name.staticName {
            if s == "server" {
                throw ScriptError("`server` is reserved for the lesson program; choose another client name", at: name.location)
            }
            if scope.upstream(named: s) != nil {
                throw ScriptError("`\(s)` is an upstream; clients and upstreams need different names", at: name.location)
            }
            if current?.scrapes.contains(s) == true {
                throw ScriptError("`\(s)` is a scrape; clients and scrapes need different names", at: name.location)
            }
        }
        current?.clients.append(NamePattern(name))
    }

    /// A client name that an earlier `connect` introduced.
    func usedClient(_ cursor: inout Cursor, after command: String) throws(ScriptError) -> NameTemplate {
        if let t = cursor.peek, t.kind == .word, t.text == "server" {
            throw ScriptError("`\(command) server` is not a step; `server` is the lesson program (use `stop` to send it SIGTERM)", at: cursor.here)
        }
        if let t = cursor.peek, t.kind == .word, let upstream = scope.upstream(named: t.text) {
            throw ScriptError(
                "`\(upstream.name)` is an upstream, which acts by itself; `\(command)` works on clients made by `connect`", at: cursor.here)
        }
        let name = try nameTemplate(&cursor, what: "a client name after `\(command)`")
        try checkDeclared(name, in: current?.clients ?? [], what: "client", introducedBy: "connect \(name)")
        return name
    }

    /// Fails unless some earlier declaration can produce the same concrete name as `name`.
    func checkDeclared(_ name: NameTemplate, in declared: [NamePattern], what: String, introducedBy: String) throws(ScriptError) {
        let pattern = NamePattern(name)
        guard !declared.contains(where: { $0.overlaps(pattern) }) else { return }
        let known = Array(Set(declared.map { $0.source.description })).sorted()
        let hint = Suggestion.didYouMean(name.description, in: known)
        let list = known.isEmpty ? "" : " (known: \(Suggestion.list(known.prefix(8).map { "`\($0)`" }, conjunction: "and")))"
        throw ScriptError(
            "unknown \(what) `\(Token.abbreviate(name.description))`\(hint); expected `\(introducedBy)` earlier in the check\(list)",
            at: name.location)
    }

    // MARK: Send

    /// `send NAME PAYLOAD [in N chunks | in chunks of SIZE] [every T] [within T] [until closed]`
    func send(_ cursor: inout Cursor, at: SourceLocation) throws(ScriptError) -> Send {
        let client = try usedClient(&cursor, after: "send")
        let what =
            "what to send after \(cursor.sofar): a string, `hex \"…\"`, `file \"…\"`, `random SIZE`, `hello`, a key-value request "
            + "(`put KEY VALUE`, `get KEY`, `kv …`), WebSocket frames (`ws text \"hi\"`) or a name given by `random … as NAME`"
        guard let t = cursor.peek else { throw cursor.unexpected(what) }
        var payload: Payload
        var isRandom = false
        switch t.kind {
        case .string:
            _ = cursor.next()
            let bytes = try StringLiteral.bytes(t.raw, column: t.column, line: cursor.line.number, file: file)
            if bytes.isEmpty { throw ScriptError("empty string: nothing to send; expected \(what)", at: cursor.location(of: t)) }
            payload = .text(bytes)
        case .word where t.text == "hex":
            _ = cursor.next()
            payload = .hex(try hexString(&cursor))
        case .word where t.text == "file":
            _ = cursor.next()
            payload = .file(try filePath(&cursor))
        case .word where t.text == "random":
            _ = cursor.next()
            let sizeToken = cursor.peek
            let size = try cursor.size(after: "random", maximum: ScriptLimits.randomSize)
            try checkRandomCopies(size, at: cursor.location(of: sizeToken))
            payload = .random(RandomData(size: size))
            isRandom = true
        case .word where t.text == "hello":
            _ = cursor.next()
            payload = .hello(HelloPayload())
        case .word where Self.keyValueRequests.contains(t.text):
            payload = .keyValue(try keyValueRequests(&cursor))
        case .word where t.text == "ws":
            _ = cursor.next()
            payload = .webSocket(try webSocketFrames(&cursor))
        case .word:
            let name = try nameTemplate(&cursor, what: what)
            try checkDeclared(name, in: current?.data ?? [], what: "data name", introducedBy: "send … random SIZE as \(name)")
            payload = .named(name)
        default:
            throw cursor.unexpected(what)
        }
        var step = Send(client: client, payload: payload, location: at)
        var chunking: Delivery.Chunking?
        var pause: (Duration, SourceLocation)?
        var seed: UInt64?
        var dataName: NameTemplate?
        var hello = HelloPayload()
        var isHello = false
        if case .hello = payload { isHello = true }
        let options = ["in", "every", "within", "until"] + (isRandom ? ["seed", "as"] : []) + (isHello ? Self.helloOptions : [])
        try optionLoop(&cursor, options) { (option, cursor) throws(ScriptError) in
            if isHello, Self.helloOptions.contains(option) {
                try self.helloOption(option, &cursor, &hello)
                return
            }
            switch option {
            case "in":
                if cursor.accept("chunks") {
                    try cursor.expectWord("of", "after `in chunks`, as in `in chunks of 1`")
                    chunking = .size(try cursor.size(after: "of", maximum: ScriptLimits.chunkSize))
                } else if let t = cursor.peek, t.kind == .number {
                    let n = try cursor.integer(after: "in", what: "a number of chunks", minimum: 1, maximum: ScriptLimits.pieces)
                    try cursor.expectWord("chunks", "after `in \(n)`, as in `in \(n) chunks`")
                    chunking = .count(n)
                } else {
                    throw cursor.unexpected("`N chunks` or `chunks of SIZE` after `in`")
                }
            case "every":
                let location = cursor.location(of: cursor.line.tokens[cursor.index - 1])
                pause = (try cursor.duration(after: "every", positive: false), location)
            case "within":
                step.within = try cursor.duration(after: "within")
            case "until":
                try cursor.expectWord("closed", "after `until`, as in `until closed`")
                step.untilClosed = true
            case "seed":
                let n = try cursor.integer(after: "seed", what: "a whole number", minimum: 0)
                seed = UInt64(n)
            default:
                let name = try self.nameTemplate(&cursor, what: "a name for the data after `as`, such as `x`")
                if let s = name.staticName, Self.reservedDataNames.contains(s) {
                    throw ScriptError("`\(s)` is a keyword; choose another name for the data", at: name.location)
                }
                dataName = name
            }
        }
        if let (_, location) = pause, chunking == nil {
            throw ScriptError("`every` needs chunks to pause between; add `in N chunks` or `in chunks of SIZE`", at: location)
        }
        if let chunking {
            let delivery = Delivery(chunking: chunking, pause: pause?.0)
            step.delivery = delivery
            switch step.payload {
            case .text(let b), .hex(let b): try checkPieces(delivery, payloadSize: b.count, at: at)
            case .random(let r): try checkPieces(delivery, payloadSize: r.size, at: at)
            case .file, .named, .hello, .keyValue, .webSocket: break
            }
        }
        if isHello {
            try validateHello(hello, at: at)
            step.payload = .hello(hello)
        }
        if case .random(var random) = step.payload {
            random.seed = seed
            random.name = dataName
            step.payload = .random(random)
            if let dataName { current?.data.append(NamePattern(dataName)) }
        }
        return step
    }

    /// The string after `hex`.
    func hexString(_ cursor: inout Cursor) throws(ScriptError) -> [UInt8] {
        let t = try cursor.string("a string of hex bytes after `hex`, such as \"16 03 01\"")
        return try StringLiteral.hexBytes(t.raw, column: t.column, line: cursor.line.number, file: file)
    }

    /// The string after `file`: a relative path inside the lesson folder.
    func filePath(_ cursor: inout Cursor) throws(ScriptError) -> String {
        let t = cursor.peek
        let path = try cursor.text("a path as a string after `file`, such as \"fixtures/hello.bin\"")
        let location = cursor.location(of: t)
        if path.hasPrefix("/") {
            throw ScriptError(
                "absolute path \"\(Token.abbreviate(path))\"; expected a path relative to the folder of the checks file, such as \"fixtures/hello.bin\"",
                at: location)
        }
        if path.split(separator: "/").contains("..") {
            throw ScriptError(
                "path \"\(Token.abbreviate(path))\" leaves the lesson folder; expected a path inside it, such as \"fixtures/hello.bin\"", at: location
            )
        }
        return path
    }
}
