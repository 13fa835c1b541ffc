/// `start`, `upstream`, and the names and templates they use.
extension ScriptParser {
    /// `start ARG…`
    func startLine(_ cursor: inout Cursor, at: SourceLocation) throws(ScriptError) -> (StartSpec, [RawPlaceholder]) {
        var arguments: [Template] = []
        var raws: [RawPlaceholder] = []
        while let t = cursor.next() {
            let (template, raw) = try template(t, cursor)
            arguments.append(template)
            raws += raw
        }
        guard !arguments.isEmpty else {
            throw cursor.unexpected("the program's flags after `start`, such as `start --listen {listen}`")
        }
        return (StartSpec(arguments: arguments, location: at), raws)
    }

    static let upstreamKinds = ["echo", "sink", "reply-at-eof", "silent", "close", "half-close", "refuse", "blackhole", "tls-echo"]

    /// `upstream KIND as NAME [cert FILE key FILE] [alpn P,…]`, or for `echo` and `sink`
    /// `[down for T] [reset first N] [close after SIZE]`
    func upstreamLine(_ cursor: inout Cursor, at: SourceLocation, scope: Scope) throws(ScriptError) -> Upstream {
        guard let kindToken = cursor.peek, kindToken.kind == .word, Self.upstreamKinds.contains(kindToken.text) else {
            let kinds = Suggestion.list(Self.upstreamKinds.map { "`\($0)`" })
            let hint = cursor.peek.flatMap { $0.kind == .word ? Suggestion.didYouMean($0.text, in: Self.upstreamKinds) : nil } ?? ""
            throw cursor.unexpected("the kind of upstream after `upstream`: \(kinds)", hint: hint)
        }
        _ = cursor.next()
        try cursor.expectWord("as", "and a name after `upstream \(kindToken.text)`, as in `upstream \(kindToken.text) as up`")
        let name = try plainName(&cursor, what: "an upstream name after `as`")
        if name.text == "server" {
            throw ScriptError("`server` is reserved for the lesson program; choose another name", at: name.location)
        }
        if let previous = scope.upstream(named: name.text) {
            throw ScriptError("upstream `\(name.text)` is already declared at line \(previous.location.line)", at: name.location)
        }
        var kind: Upstream.Kind
        switch kindToken.text {
        case "echo": kind = .echo
        case "sink": kind = .sink
        case "reply-at-eof": kind = .replyAtEOF
        case "silent": kind = .silent
        case "close": kind = .close
        case "half-close": kind = .halfClose
        case "refuse": kind = .refuse
        case "blackhole": kind = .blackhole
        default: kind = .tlsEcho(TLSServerOptions())
        }
        if case .tlsEcho = kind {
            var options = TLSServerOptions()
            var raws: [RawPlaceholder] = []
            var certLocation: SourceLocation?
            var keyLocation: SourceLocation?
            try optionLoop(&cursor, ["cert", "key", "alpn"]) { (option, cursor) throws(ScriptError) in
                switch option {
                case "cert":
                    certLocation = cursor.here
                    let (t, r) = try self.templateArgument(&cursor, what: "a certificate file after `cert`, such as {cert}")
                    options.certificate = t
                    raws += r
                case "key":
                    keyLocation = cursor.here
                    let (t, r) = try self.templateArgument(&cursor, what: "a private key file after `key`, such as {key}")
                    options.key = t
                    raws += r
                default:
                    options.alpn = try self.protocolList(&cursor)
                }
            }
            if let c = certLocation, keyLocation == nil {
                throw ScriptError("`cert` without `key`; give both, or neither to use netlab's localhost certificate", at: c)
            }
            if let k = keyLocation, certLocation == nil {
                throw ScriptError("`key` without `cert`; give both, or neither to use netlab's localhost certificate", at: k)
            }
            try validate(raws, scope: scope)
            kind = .tlsEcho(options)
        } else if kind == .echo || kind == .sink {
            return Upstream(name: name.text, kind: kind, faults: try upstreamFaults(&cursor), location: at)
        } else if let t = cursor.peek {
            let faulty =
                ["down", "reset", "close"].contains(t.text) ? " (`down for`, `reset first` and `close after` are for `echo` and `sink`)" : ""
            throw ScriptError(
                "unexpected \(t.quoted); `\(kindToken.text)` upstreams take no options\(faulty); expected end of line", at: cursor.location(of: t))
        }
        return Upstream(name: name.text, kind: kind, location: at)
    }

    /// Reads `option value…` pairs in any order, each at most once, until the end of the line.
    /// `handle` is called with the option word consumed.
    func optionLoop(
        _ cursor: inout Cursor, _ options: [String],
        _ handle: (String, inout Cursor) throws(ScriptError) -> Void
    ) throws(ScriptError) {
        var seen: Set<String> = []
        while let t = cursor.peek {
            guard t.kind == .word, options.contains(t.text) else {
                try cursor.expectEnd(options.filter { !seen.contains($0) })
                return
            }
            guard seen.insert(t.text).inserted else {
                throw ScriptError("`\(t.text)` given twice in this line", at: cursor.location(of: t))
            }
            _ = cursor.next()
            try handle(t.text, &cursor)
        }
    }

    /// A template from a word (`{ca}`) or a string (`"{tmp}/ca.pem"`).
    func templateArgument(_ cursor: inout Cursor, what: String) throws(ScriptError) -> (Template, [RawPlaceholder]) {
        guard let t = cursor.peek, t.kind == .word || t.kind == .string else { throw cursor.unexpected(what) }
        _ = cursor.next()
        return try template(t, cursor)
    }

    /// `h2` or `"h2,http/1.1"`: ALPN protocol names, comma-separated.
    func protocolList(_ cursor: inout Cursor) throws(ScriptError) -> [String] {
        guard let t = cursor.peek, t.kind == .word || t.kind == .string else {
            throw cursor.unexpected("protocol names after `alpn`, such as `h2` or \"h2,http/1.1\"")
        }
        _ = cursor.next()
        let text =
            t.kind == .word
            ? t.text
            : try StringLiteral.text(t.raw, column: t.column, line: cursor.line.number, file: file, what: "an ALPN list")
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard names.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 255 && !$0.contains(" ") }) else {
            throw ScriptError(
                "malformed ALPN list `\(Token.abbreviate(text))`; expected protocol names separated by commas, such as \"h2,http/1.1\"",
                at: cursor.location(of: t))
        }
        return names
    }

    /// A plain identifier (no `{…}`): upstream, capture and loop-variable names.
    func plainName(_ cursor: inout Cursor, what: String) throws(ScriptError) -> (text: String, location: SourceLocation) {
        guard let t = cursor.peek, t.kind == .word else { throw cursor.unexpected(what) }
        let location = cursor.location(of: t)
        guard Scope.isIdentifier(t.text) else {
            throw ScriptError(
                "`\(Token.abbreviate(t.text))` is not a valid name; expected \(what): letters, digits, `_` and `-`, starting with a letter",
                at: location)
        }
        _ = cursor.next()
        return (t.text, location)
    }

    /// A client or data name: `a`, `c{i}`. Variables must belong to enclosing loops.
    func nameTemplate(_ cursor: inout Cursor, what: String) throws(ScriptError) -> NameTemplate {
        guard let t = cursor.peek, t.kind == .word else { throw cursor.unexpected(what) }
        let location = cursor.location(of: t)
        let s = t.raw
        var parts: [NameTemplate.Part] = []
        var literal = ""
        var i = 0
        guard let first = s.first, Lexer.isLetter(first) || first == "_" else {
            throw ScriptError(
                "`\(Token.abbreviate(t.text))` is not a valid name; expected \(what), starting with a letter (such as `a` or `c{i}`)", at: location)
        }
        let variables = blocks.compactMap(\.variable)
        while i < s.count {
            let c = s[i]
            if c == "{" {
                var j = i + 1
                while j < s.count, s[j] != "}" { j += 1 }
                let name = String(String.UnicodeScalarView(s[(i + 1)..<min(j, s.count)]))
                let at = SourceLocation(file: file, line: location.line, column: location.column + i)
                guard variables.contains(name) else {
                    let known =
                        variables.isEmpty
                        ? "there is no enclosing `repeat … as` or `parallel … as`"
                        : "the enclosing loops count with \(Suggestion.list(variables.map { "`{\($0)}`" }))"
                    throw ScriptError(
                        "unknown loop variable `{\(Token.abbreviate(name))}` in name `\(Token.abbreviate(t.text))`\(Suggestion.didYouMean(name, in: variables) { "`{\($0)}`" }); \(known)",
                        at: at)
                }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(.variable(name))
                i = j + 1
                continue
            }
            guard Lexer.isLetterOrDigit(c) || c == "_" || c == "-" else {
                let at = SourceLocation(file: file, line: location.line, column: location.column + i)
                throw ScriptError(
                    "`\(c)` is not allowed in name `\(Token.abbreviate(t.text))`; expected letters, digits, `_`, `-` and `{loop variable}`", at: at)
            }
            literal.unicodeScalars.append(c)
            i += 1
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        _ = cursor.next()
        return NameTemplate(parts: parts, location: location)
    }
}
