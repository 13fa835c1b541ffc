/// Reads the tokens of one line, and words errors about them uniformly:
/// `unexpected X; expected Y` where X is the token (or `end of line`) and Y says what would fit.
struct Cursor {
    let line: Line
    let file: String
    private(set) var index = 0

    init(line: Line, file: String) {
        self.line = line
        self.file = file
    }

    var atEnd: Bool { index >= line.tokens.count }
    var peek: Token? { index < line.tokens.count ? line.tokens[index] : nil }

    mutating func next() -> Token? {
        guard let t = peek else { return nil }
        index += 1
        return t
    }

    /// Where the current token starts, or the end of the line.
    var here: SourceLocation { location(of: peek) }

    func location(of token: Token?) -> SourceLocation {
        SourceLocation(file: file, line: line.number, column: token?.column ?? line.endColumn)
    }

    /// The statement up to the current token, for messages: `` `expect a closed` ``.
    var sofar: String {
        let words = line.tokens[0..<min(index, line.tokens.count)].map(\.text).joined(separator: " ")
        return "`\(Token.abbreviate(words, limit: 60))`"
    }

    func isWord(_ word: String) -> Bool {
        guard let t = peek else { return false }
        return t.kind == .word && t.text == word
    }

    /// Consumes `word` if it is next.
    mutating func accept(_ word: String) -> Bool {
        guard isWord(word) else { return false }
        index += 1
        return true
    }

    /// `unexpected <current>; expected <expected>`, at the current token.
    func unexpected(_ expected: String, hint: String = "") -> ScriptError {
        let found = peek.map { "unexpected \($0.quoted)" } ?? "unexpected end of line"
        return ScriptError("\(found)\(hint); expected \(expected)", at: here)
    }

    /// Consumes `word` or fails with `unexpected …; expected `word` …`.
    mutating func expectWord(_ word: String, _ context: String) throws(ScriptError) {
        guard accept(word) else { throw unexpected("`\(word)` \(context)") }
    }

    /// The statement must end here.
    func expectEnd(_ alternatives: [String] = []) throws(ScriptError) {
        guard let t = peek else { return }
        let options = alternatives.map { "`\($0)`" } + ["end of line"]
        var hint = ""
        if t.kind == .word, !alternatives.isEmpty { hint = Suggestion.didYouMean(t.text, in: alternatives) }
        throw ScriptError("unexpected \(t.quoted) after \(sofar)\(hint); expected \(Suggestion.list(options))", at: location(of: t))
    }

    /// A string token, or fails with `expected <what>`.
    mutating func string(_ what: String) throws(ScriptError) -> Token {
        guard let t = peek, t.kind == .string else { throw unexpected(what) }
        index += 1
        return t
    }

    /// A text string (valid UTF-8 after escapes).
    mutating func text(_ what: String, allowEmpty: Bool = false) throws(ScriptError) -> String {
        let t = try string(what)
        let value = try StringLiteral.text(t.raw, column: t.column, line: line.number, file: file, what: what)
        if !allowEmpty, value.isEmpty {
            throw ScriptError("empty string; expected \(what)", at: location(of: t))
        }
        return value
    }

    /// A duration after `keyword`; `positive` rejects zero.
    mutating func duration(after keyword: String, positive: Bool = true) throws(ScriptError) -> Duration {
        guard let t = peek, t.kind == .number else {
            throw unexpected("a duration after `\(keyword)` (such as 500ms or 2s)")
        }
        index += 1
        let value = try t.duration(file: file, line: line.number, after: keyword)
        if positive, value <= .zero {
            throw ScriptError("`\(keyword) \(t.text)` is zero; expected a duration greater than zero", at: location(of: t))
        }
        return value
    }

    /// A whole number ≥ `minimum` after `keyword`.
    mutating func integer(after keyword: String, what: String, minimum: Int, maximum: Int = Int.max) throws(ScriptError) -> Int {
        guard let t = peek, t.kind == .number else {
            throw unexpected("\(what) after `\(keyword)`")
        }
        index += 1
        let location = location(of: t)
        let text = t.text
        guard text.allSatisfy(\.isASCIIDigitCharacter) else {
            throw ScriptError("`\(Token.abbreviate(text))` is not a whole number; expected \(what) after `\(keyword)`", at: location)
        }
        guard let value = Int(text), value <= maximum else {
            throw ScriptError("`\(Token.abbreviate(text))` is too large; expected \(what) after `\(keyword)` (at most \(maximum))", at: location)
        }
        guard value >= minimum else {
            throw ScriptError("`\(text)` is too small; expected \(what) after `\(keyword)`", at: location)
        }
        return value
    }

    /// A size in bytes from 1 to `maximum` after `keyword`.
    mutating func size(after keyword: String, maximum: Int) throws(ScriptError) -> Int {
        guard let t = peek, t.kind == .number else {
            throw unexpected("a size after `\(keyword)` (such as 1024, 64KiB or 1MiB)")
        }
        index += 1
        let value = try t.size(file: file, line: line.number, after: keyword)
        guard value > 0 else {
            throw ScriptError("size `\(t.text)` is zero; expected at least one byte", at: location(of: t))
        }
        guard value <= maximum else {
            throw ScriptError(
                "size `\(Token.abbreviate(t.text))` is too large; expected at most \(NumberLiteral.sizeText(maximum)) after `\(keyword)`",
                at: location(of: t))
        }
        return value
    }
}
