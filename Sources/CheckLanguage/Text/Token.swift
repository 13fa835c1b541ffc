/// One token of a check-script line. Tokens keep their exact source text so that literals
/// (strings, templates, numbers with units) are decoded where their meaning is known, and so that
/// errors can quote what the author wrote.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A bare word: a command, keyword, name (`c{i}`), host (`example.test`) or `{placeholder}`.
        case word
        /// A double-quoted string, quotes included in `raw`.
        case string
        /// Starts with a digit: an integer, a decimal, a duration (`300ms`) or a size (`64KiB`).
        case number
        /// A `/pattern/`, slashes included in `raw`.
        case pattern
        /// `<`, `<=`, `==`, `!=`, `>=`, `>`, `+` or `-`.
        case symbol
        /// One shell-like argument of a `start` line: bare text and quoted sections, no spaces
        /// outside quotes.
        case argument
    }

    var kind: Kind
    var raw: [Unicode.Scalar]
    /// 1-based column of the first scalar.
    var column: Int

    var text: String { String(String.UnicodeScalarView(raw)) }

    /// How an error message names this token: `` `foo` ``, `string "…"`, `pattern /…/`.
    var quoted: String {
        let shown = Token.abbreviate(text)
        switch kind {
        case .string: return "string \(shown)"
        case .pattern: return "pattern \(shown)"
        default: return "`\(shown)`"
        }
    }

    static func abbreviate(_ text: String, limit: Int = 40) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count > limit else { return text }
        return String(String.UnicodeScalarView(scalars[0..<limit])) + "…"
    }
}

/// The tokens of one source line that holds something other than blanks and comments.
struct Line: Sendable {
    var number: Int
    var tokens: [Token]
    /// Column just past the last scalar of the line (where "end of line" is reported).
    var endColumn: Int
}
