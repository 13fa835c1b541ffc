/// `scrape NAME "PATH" [from ADDR] [within T]` and `expect NAME …` on a scrape.
extension ScriptParser {
    static let metricTypes = ["counter", "gauge", "histogram", "summary", "untyped"]

    func scrape(_ cursor: inout Cursor, at: SourceLocation) throws(ScriptError) -> Scrape {
        let name = try plainName(&cursor, what: "a name for the scrape after `scrape`, such as `m`")
        if name.text == "server" || Self.reservedDataNames.contains(name.text) {
            throw ScriptError("`\(name.text)` is a keyword; choose another name for the scrape, such as `m`", at: name.location)
        }
        if scope.upstream(named: name.text) != nil {
            throw ScriptError("`\(name.text)` is an upstream; a scrape needs a name of its own", at: name.location)
        }
        if current?.clients.contains(where: { $0.overlaps(NamePattern(NameTemplate(name.text, location: name.location))) }) == true {
            throw ScriptError("`\(name.text)` is a client; a scrape needs a name of its own", at: name.location)
        }
        let pathToken = cursor.peek
        let path = try cursor.text("the path to GET as a string after the scrape's name, such as \"/metrics\"")
        guard path.hasPrefix("/"), path.utf8.count <= 1024, path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
            throw ScriptError(
                "\"\(Token.abbreviate(path))\" is not a request path; expected one that starts with `/` and has no spaces, such as \"/metrics\"",
                at: cursor.location(of: pathToken))
        }
        var step = Scrape(name: name.text, path: path, location: at)
        var raws: [RawPlaceholder] = []
        try optionLoop(&cursor, ["from", "within"]) { (option, cursor) throws(ScriptError) in
            if option == "within" {
                step.within = try cursor.duration(after: "within")
                return
            }
            let token = cursor.peek
            let (t, r) = try self.templateArgument(&cursor, what: "an address after `from`, such as {metrics} or {up.addr}")
            if let literal = t.literalValue, !literal.contains(":") {
                throw ScriptError(
                    "`\(Token.abbreviate(literal))` is not an address; expected HOST:PORT, such as {metrics} or \"127.0.0.1:9\"",
                    at: cursor.location(of: token))
            }
            for raw in r {
                switch raw.placeholder {
                case .ca, .cert, .key, .fixtures, .tmp:
                    throw ScriptError(
                        "`{\(raw.placeholder)}` is a file or folder, not an address; expected HOST:PORT, such as {metrics}", at: raw.location)
                default: break
                }
            }
            step.from = t
            raws += r
        }
        try validate(raws, scope: scope)
        if current?.scrapes.contains(name.text) == false { current?.scrapes.append(name.text) }
        return step
    }

    /// After `expect NAME` for a scrape: `valid`, `metric SERIES OP NUMBER`, `no metric SERIES`,
    /// `type FAMILY KIND`.
    func scrapeCondition(_ cursor: inout Cursor, scrape: String) throws(ScriptError) -> ScrapeExpectation.Condition {
        let choices = "`valid`, `metric SERIES OP NUMBER`, `no metric SERIES` or `type FAMILY KIND` after `expect \(scrape)` (a scrape)"
        guard let t = cursor.peek, t.kind == .word else { throw cursor.unexpected(choices) }
        switch t.text {
        case "valid":
            _ = cursor.next()
            try cursor.expectEnd()
            return .valid
        case "metric":
            _ = cursor.next()
            let series = try metricSeries(&cursor)
            guard let op = cursor.peek, op.kind == .symbol, let comparison = Comparison.Operator(rawValue: op.text) else {
                throw cursor.unexpected("a comparison after the series: <, <=, ==, !=, >= or >, then a number, as in `== 5`")
            }
            _ = cursor.next()
            let value = try metricNumber(&cursor)
            var within: Duration?
            try optionLoop(&cursor, ["within"]) { (_, cursor) throws(ScriptError) in
                within = try cursor.duration(after: "within")
            }
            return .value(series, comparison, value, within: within)
        case "no":
            _ = cursor.next()
            try cursor.expectWord("metric", "after `no`, as in `no metric chat_errors_total{kind=\"x\"}`")
            let series = try metricSeries(&cursor)
            try cursor.expectEnd()
            return .absent(series)
        case "type":
            _ = cursor.next()
            let family = try metricSeries(&cursor)
            guard family.labels.isEmpty else {
                throw ScriptError(
                    "a family has no labels; expected only its name after `type`", at: cursor.location(of: cursor.line.tokens[cursor.index - 1]))
            }
            guard let k = cursor.peek, k.kind == .word, Self.metricTypes.contains(k.text) else {
                throw cursor.unexpected("a metric type after the family's name: \(Suggestion.list(Self.metricTypes.map { "`\($0)`" }))")
            }
            _ = cursor.next()
            try cursor.expectEnd()
            return .type(family.name, k.text)
        default:
            throw cursor.unexpected(choices, hint: Suggestion.didYouMean(t.text, in: ["valid", "metric", "no", "type"]))
        }
    }

    /// `chat_errors_total{kind="protocol"}` as a word, or the same in a string for a label value
    /// with spaces.
    func metricSeries(_ cursor: inout Cursor) throws(ScriptError) -> MetricSeries {
        guard let t = cursor.peek, t.kind == .word || t.kind == .string else {
            throw cursor.unexpected("a series, such as `chat_messages_received_total` or `chat_errors_total{kind=\"protocol\"}`")
        }
        _ = cursor.next()
        let text = t.kind == .word ? t.text : try StringLiteral.text(t.raw, column: t.column, line: cursor.line.number, file: file, what: "a series")
        switch MetricSeries.parse(text) {
        case .success(let series): return series
        case .failure(let error):
            let column = t.column + (t.kind == .word ? error.offset : 0)
            throw ScriptError(
                "malformed series `\(Token.abbreviate(text))`; expected \(error.message)",
                at: SourceLocation(file: file, line: cursor.line.number, column: column))
        }
    }

    /// A sample value to compare with: `5`, `0.25`, `1e-3`.
    func metricNumber(_ cursor: inout Cursor) throws(ScriptError) -> Double {
        guard let t = cursor.peek, t.kind == .number else {
            throw cursor.unexpected("a number to compare with, such as `5` or `0.25`")
        }
        _ = cursor.next()
        guard t.text.allSatisfy({ $0.isASCIIDigitCharacter || $0 == "." }), let value = Double(t.text), value.isFinite else {
            throw ScriptError(
                "`\(Token.abbreviate(t.text))` is not a number; expected digits with at most one point, such as `5` or `0.25`",
                at: cursor.location(of: t))
        }
        return value
    }
}
