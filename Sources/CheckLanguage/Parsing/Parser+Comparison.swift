/// Comparisons and the arithmetic after them (`<= base + 2`, `< 50MiB`), for `expect server`
/// metrics and log counts.
extension ScriptParser {
    // MARK: Comparisons

    static func describe(_ q: Quantity) -> String {
        switch q {
        case .count: "a count"
        case .bytes: "a size in bytes"
        case .duration: "a duration"
        }
    }

    /// `OP EXPR`
    func comparison(_ cursor: inout Cursor, quantity: Quantity, subject: String) throws(ScriptError) -> Comparison {
        guard let t = cursor.peek, t.kind == .symbol, let op = Comparison.Operator(rawValue: t.text) else {
            throw cursor.unexpected("a comparison after `\(subject)`: <, <=, ==, !=, >= or >")
        }
        _ = cursor.next()
        return Comparison(op: op, rhs: try expression(&cursor, quantity: quantity, subject: subject))
    }

    /// `TERM { (+|-) TERM }`, each term of the given quantity.
    func expression(_ cursor: inout Cursor, quantity: Quantity, subject: String) throws(ScriptError) -> Expression {
        let start = cursor.here
        var terms: [Expression.Term] = []
        var sign = Expression.Term.Sign.plus
        while true {
            terms.append(
                Expression.Term(
                    sign: sign, operand: try operand(&cursor, quantity: quantity, subject: subject),
                    location: cursor.location(of: cursor.line.tokens[cursor.index - 1])))
            guard let t = cursor.peek, t.kind == .symbol, t.text == "+" || t.text == "-" else { break }
            _ = cursor.next()
            sign = t.text == "+" ? .plus : .minus
        }
        let expression = Expression(terms: terms, quantity: quantity, location: start)
        if let term = expression.firstOverflowingLiteral() {
            throw ScriptError(
                "the sum overflows here: `\(subject)` is compared with a number beyond 64 bits; expected "
                    + "\(Self.describe(quantity)) within the limits in docs/checks.md", at: term.location)
        }
        return expression
    }

    func operand(_ cursor: inout Cursor, quantity: Quantity, subject: String) throws(ScriptError) -> Expression.Operand {
        let example =
            switch quantity {
            case .count: "such as 10 or base + 2"
            case .bytes: "such as 64MiB or base + 1MiB"
            case .duration: "such as 200ms or base + 100ms"
            }
        let what = "\(Self.describe(quantity)) (\(example))"
        guard let t = cursor.peek else { throw cursor.unexpected(what) }
        let location = cursor.location(of: t)
        switch t.kind {
        case .number:
            let (_, unit) = NumberLiteral.split(t.text)
            let isDuration = NumberLiteral.durationUnits.contains { $0.name == unit }
            let isSize = NumberLiteral.sizeUnits.contains { $0.name == unit }
            switch quantity {
            case .count:
                if isDuration || isSize {
                    throw ScriptError(
                        "`\(t.text)` is \(isDuration ? "a duration" : "a size"), but `\(subject)` is a count; expected a whole number", at: location)
                }
                _ = cursor.next()
                return .integer(try t.integer(file: file, line: location.line, what: "a count", maximum: ScriptLimits.count))
            case .bytes:
                if isDuration && !unit.isEmpty {
                    throw ScriptError("`\(t.text)` is a duration, but `\(subject)` is a size; expected a size such as 64MiB", at: location)
                }
                _ = cursor.next()
                let size = try t.size(file: file, line: location.line, after: subject)
                guard size <= ScriptLimits.comparedSize else {
                    throw ScriptError(
                        "size `\(Token.abbreviate(t.text))` is too large; expected at most \(NumberLiteral.sizeText(ScriptLimits.comparedSize))",
                        at: location)
                }
                return unit.isEmpty ? .integer(size) : .size(size)
            case .duration:
                if isSize && !unit.isEmpty {
                    throw ScriptError("`\(t.text)` is a size, but `\(subject)` is a duration; expected a duration such as 200ms", at: location)
                }
                _ = cursor.next()
                return .duration(try t.duration(file: file, line: location.line, after: subject))
            }
        case .word:
            let name = t.text
            if blocks.contains(where: { $0.variable == name }) {
                guard quantity == .count else {
                    throw ScriptError("loop counter `\(name)` is a count, but `\(subject)` is \(Self.describe(quantity))", at: location)
                }
                _ = cursor.next()
                return .loopVariable(name)
            }
            if let metric = current?.captures[name] {
                guard metric.quantity == quantity else {
                    throw ScriptError(
                        "`\(name)` holds \(metric.rawValue) (\(Self.describe(metric.quantity))), but `\(subject)` is \(Self.describe(quantity))",
                        at: location)
                }
                _ = cursor.next()
                return .capture(name)
            }
            let known = Array((current?.captures.keys).map(Array.init) ?? []).sorted() + blocks.compactMap(\.variable)
            let metricWord =
                switch quantity {
                case .count: "fds"
                case .bytes: "rss"
                case .duration: "cpu"
                }
            throw ScriptError(
                "unknown value `\(Token.abbreviate(name))`\(Suggestion.didYouMean(name, in: known)); expected \(what), or a name captured earlier, as in `\(metricWord) as \(Token.abbreviate(name))`",
                at: location)
        default:
            throw cursor.unexpected(what)
        }
    }
}
