/// Splits a check script into lines of tokens.
///
/// The language is line-oriented: a statement never spans lines, so strings and patterns must
/// close on the line they open. `#` starts a comment anywhere outside a string or pattern.
/// The rest of a `start` line is lexed as shell-like arguments (`--listen {listen}`), because
/// program flags may contain characters that mean something else in a statement.
struct Lexer {
    let file: String

    /// Lexes every line. A line with a lexical error is reported and left out; the others are
    /// still returned so the parser can report more than the first problem.
    func lex(_ source: String) -> (lines: [Line], errors: [ScriptError]) {
        var lines: [Line] = []
        var errors: [ScriptError] = []
        for (index, scalars) in ScriptSource.splitLines(source).enumerated() {
            do {
                if let line = try lexLine(scalars, number: index + 1) { lines.append(line) }
            } catch {
                errors.append(error)
            }
        }
        return (lines, errors)
    }

    func lexLine(_ s: [Unicode.Scalar], number: Int) throws(ScriptError) -> Line? {
        var tokens: [Token] = []
        var i = 0
        var argumentMode = false
        func fail(_ message: String, _ column: Int) -> ScriptError {
            ScriptError(message, at: SourceLocation(file: file, line: number, column: column))
        }
        while i < s.count {
            let c = s[i]
            if Lexer.isBlank(c) { i += 1; continue }
            if c == "#" { break }
            let start = i
            if argumentMode {
                var quoteStart: Int? = nil
                while i < s.count {
                    let d = s[i]
                    if quoteStart != nil {
                        if d == "\\" { i += 2; continue }
                        if d == "\"" { quoteStart = nil }
                    } else {
                        if Lexer.isBlank(d) { break }
                        if d == "\"" { quoteStart = i }
                    }
                    i += 1
                }
                if let open = quoteStart {
                    throw fail("unterminated string in argument; add a closing `\"` on the same line", open + 1)
                }
                i = min(i, s.count)
                tokens.append(Token(kind: .argument, raw: Array(s[start..<i]), column: start + 1))
                continue
            }
            switch c {
            case "\"", "/":
                i += 1
                var closed = false
                while i < s.count {
                    if s[i] == "\\" { i += 2; continue }
                    if s[i] == c { closed = true; i += 1; break }
                    i += 1
                }
                guard closed else {
                    if c == "\"" {
                        throw fail("unterminated string; add a closing `\"` on the same line", start + 1)
                    }
                    throw fail("unterminated pattern; add a closing `/` on the same line (write `\\/` for a slash inside it)", start + 1)
                }
                tokens.append(Token(kind: c == "\"" ? .string : .pattern, raw: Array(s[start..<i]), column: start + 1))
            case "<", ">", "=", "!":
                if i + 1 < s.count, s[i + 1] == "=" {
                    i += 2
                } else if c == "<" || c == ">" {
                    i += 1
                } else {
                    let hint = c == "=" ? "; did you mean `==`?" : "; did you mean `!=`?"
                    throw fail("unexpected `\(c)`\(hint)", start + 1)
                }
                tokens.append(Token(kind: .symbol, raw: Array(s[start..<i]), column: start + 1))
            case "+", "-":
                i += 1
                tokens.append(Token(kind: .symbol, raw: Array(s[start..<i]), column: start + 1))
            default:
                if Lexer.isDigit(c) {
                    while i < s.count, Lexer.isLetterOrDigit(s[i]) || s[i] == "." || s[i] == "_" || s[i] == "%" { i += 1 }
                    tokens.append(Token(kind: .number, raw: Array(s[start..<i]), column: start + 1))
                } else if Lexer.isLetter(c) || c == "_" || c == "{" {
                    while i < s.count {
                        let d = s[i]
                        if Lexer.isLetterOrDigit(d) || d == "_" || d == "." {
                            i += 1
                        } else if d == "-", i + 1 < s.count, Lexer.isLetter(s[i + 1]) || s[i + 1] == "{" {
                            i += 1
                        } else if d == "{" {
                            let open = i
                            while i < s.count, s[i] != "}", !Lexer.isBlank(s[i]) { i += 1 }
                            guard i < s.count, s[i] == "}" else {
                                throw fail("unterminated `{`; a `{name}` must close with `}` before any space", open + 1)
                            }
                            i += 1
                        } else {
                            break
                        }
                    }
                    tokens.append(Token(kind: .word, raw: Array(s[start..<i]), column: start + 1))
                } else if c == "}" {
                    throw fail("unexpected `}` without a matching `{`", start + 1)
                } else {
                    let shown =
                        c.properties.generalCategory == .control
                        ? "character U+\(String(c.value, radix: 16, uppercase: true))" : "character `\(c)`"
                    throw fail("unexpected \(shown)", start + 1)
                }
            }
            if tokens.count == 1, tokens[0].kind == .word, tokens[0].text == "start" {
                argumentMode = true
            }
        }
        guard !tokens.isEmpty else { return nil }
        return Line(number: number, tokens: tokens, endColumn: s.count + 1)
    }

    static func isBlank(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\u{0B}" || c == "\u{0C}" || c == "\u{FEFF}"
    }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    static func isLetter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
    static func isLetterOrDigit(_ c: Unicode.Scalar) -> Bool { isLetter(c) || isDigit(c) }
}
