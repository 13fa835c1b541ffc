/// The names visible at a point of the script: upstreams (the file's and the check's) and the
/// counters of the enclosing loops.
struct Scope {
    var upstreams: [Upstream]
    var loopVariables: [String]

    init(upstreams: [Upstream], loopVariables: [String]) {
        self.upstreams = upstreams
        self.loopVariables = loopVariables
    }

    init(parser: ScriptParser, local: [Upstream], loopVariables: [String] = []) {
        self.init(upstreams: parser.topUpstreams + local, loopVariables: loopVariables)
    }

    func upstream(named name: String) -> Upstream? {
        upstreams.first { $0.name == name }
    }

    /// `[A-Za-z_][A-Za-z0-9_-]*`
    static func isIdentifier(_ text: String) -> Bool {
        let s = Array(text.unicodeScalars)
        guard let first = s.first, Lexer.isLetter(first) || first == "_" else { return false }
        return s.allSatisfy { Lexer.isLetterOrDigit($0) || $0 == "_" || $0 == "-" }
    }
}

/// A `{…}` as written, kept with its place so it can be checked against a scope later (the
/// file's `start` line is checked once per check that uses it).
struct RawPlaceholder {
    var placeholder: Placeholder
    var location: SourceLocation
}

extension ScriptParser {
    /// The scope at the current line.
    var scope: Scope {
        Scope(
            parser: self, local: current?.check.upstreams ?? [],
            loopVariables: blocks.compactMap(\.variable))
    }

    static let placeholderList =
        "{listen}, {upstream}, {metrics}, {ca}, {cert}, {key}, {fixtures}, {tmp} or {NAME.addr}, {NAME.host}, {NAME.port} for an upstream NAME"

    /// Checks placeholders against what is declared.
    func validate(_ placeholders: [RawPlaceholder], scope: Scope) throws(ScriptError) {
        for raw in placeholders {
            switch raw.placeholder {
            case .upstream:
                switch scope.upstreams.count {
                case 0:
                    throw ScriptError("`{upstream}` needs an upstream, and none is declared; add one such as `upstream echo as up`", at: raw.location)
                case 1:
                    break
                default:
                    let names = scope.upstreams.map { "`{\($0.name).addr}`" }
                    throw ScriptError(
                        "`{upstream}` is ambiguous: there are \(scope.upstreams.count) upstreams; expected one of \(Suggestion.list(names))",
                        at: raw.location)
                }
            case .upstreamAddress(let name, _):
                if scope.upstream(named: name) == nil {
                    let names = scope.upstreams.map(\.name)
                    let known =
                        names.isEmpty ? "no upstream is declared" : "declared: \(Suggestion.list(names.map { "`\($0)`" }, conjunction: "and"))"
                    throw ScriptError(
                        "unknown upstream `\(name)` in `{\(raw.placeholder)}`\(Suggestion.didYouMean(name, in: names)); \(known)", at: raw.location)
                }
            case .loopVariable(let name):
                if scope.loopVariables.contains(name) { continue }
                if scope.upstream(named: name) != nil {
                    throw ScriptError(
                        "`{\(name)}` names an upstream; expected `{\(name).addr}`, `{\(name).host}` or `{\(name).port}`", at: raw.location)
                }
                let candidates = Array(Placeholder.builtIns.keys).sorted() + scope.loopVariables
                let hint = Suggestion.didYouMean(name, in: candidates) { "`{\($0)}`" }
                throw ScriptError(
                    "unknown placeholder `{\(Token.abbreviate(name))}`\(hint); expected \(Self.placeholderList)\(scope.loopVariables.isEmpty ? "" : ", or a loop variable")",
                    at: raw.location)
            case .listen, .metrics, .ca, .cert, .key, .fixtures, .tmp:
                break
            }
        }
    }

    /// Parses a template from a word, string or `start` argument token. Placeholders are
    /// recognised by form here; `validate` checks them against a scope.
    func template(_ token: Token, _ cursor: Cursor) throws(ScriptError) -> (Template, [RawPlaceholder]) {
        let s = token.raw
        let base = cursor.location(of: token)
        func at(_ offset: Int) -> SourceLocation {
            SourceLocation(file: base.file, line: base.line, column: base.column + offset)
        }
        var parts: [Template.Part] = []
        var raws: [RawPlaceholder] = []
        var literal = ""
        var quoted = false
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "\"", token.kind != .word {
                quoted.toggle()
                i += 1
                continue
            }
            if quoted, c == "\\" {
                guard i + 1 < s.count else { throw ScriptError("unfinished escape", at: at(i)) }
                switch s[i + 1] {
                case "n": literal += "\n"
                case "r": literal += "\r"
                case "t": literal += "\t"
                case "\\": literal += "\\"
                case "\"": literal += "\""
                default:
                    throw ScriptError("unknown escape `\\\(s[i + 1])` in an argument; expected \\n, \\r, \\t, \\\\ or \\\"", at: at(i))
                }
                i += 2
                continue
            }
            if c == "{" {
                if i + 1 < s.count, s[i + 1] == "{" {
                    literal += "{"
                    i += 2
                    continue
                }
                var j = i + 1
                while j < s.count, s[j] != "}" { j += 1 }
                guard j < s.count else {
                    throw ScriptError("unterminated `{`; write `{name}` for a placeholder or `{{` for a literal brace", at: at(i))
                }
                let name = String(String.UnicodeScalarView(s[(i + 1)..<j]))
                let placeholder = try placeholder(name, at: at(i))
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(.placeholder(placeholder))
                raws.append(RawPlaceholder(placeholder: placeholder, location: at(i)))
                i = j + 1
                continue
            }
            if c == "}" {
                if i + 1 < s.count, s[i + 1] == "}" {
                    literal += "}"
                    i += 2
                    continue
                }
                throw ScriptError("unmatched `}`; write `}}` for a literal brace", at: at(i))
            }
            literal.unicodeScalars.append(c)
            i += 1
        }
        if !literal.isEmpty || parts.isEmpty { parts.append(.literal(literal)) }
        return (Template(parts: parts, location: base), raws)
    }

    /// The placeholder a `{name}` stands for, by its form alone.
    func placeholder(_ name: String, at location: SourceLocation) throws(ScriptError) -> Placeholder {
        if let builtIn = Placeholder.builtIns[name] { return builtIn }
        let pieces = name.split(separator: ".", omittingEmptySubsequences: false)
        if pieces.count == 2, Scope.isIdentifier(String(pieces[0])) {
            let fieldName = String(pieces[1])
            guard let field = Placeholder.AddressField(rawValue: fieldName) else {
                let fields = Placeholder.AddressField.allCases.map { "`.\($0.rawValue)`" }
                throw ScriptError(
                    "unknown field `.\(Token.abbreviate(fieldName))` in `{\(Token.abbreviate(name))}`\(Suggestion.didYouMean(fieldName, in: Placeholder.AddressField.allCases.map(\.rawValue)) { "`.\($0)`" }); expected \(Suggestion.list(fields))",
                    at: location)
            }
            return .upstreamAddress(name: String(pieces[0]), field: field)
        }
        if Scope.isIdentifier(name) { return .loopVariable(name) }
        let shown = name.isEmpty ? "{}" : "{\(Token.abbreviate(name))}"
        throw ScriptError("malformed placeholder `\(shown)`; expected \(Self.placeholderList)", at: location)
    }
}
