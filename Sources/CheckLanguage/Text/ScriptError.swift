/// A problem found in a check script, with the place it was found.
///
/// `description` is one line in the style of compilers and linters, which editors and CI logs
/// turn into links:
///
///     checks.netlab:7:10: error: unknown duration unit "sx" in "2sx"; expected us, ms, s or m
public struct ScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the offending token starts (for a missing token: where it was expected).
    public var location: SourceLocation
    /// What is wrong and, where it helps, what was expected: `found X; expected Y`.
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): error: \(message)" }

    /// The one-line description followed by the source line and a caret under the column, like
    /// a compiler's diagnostic. `source` is the whole script the error came from.
    public func rendered(source: String) -> String {
        let lines = ScriptSource.splitLines(source)
        guard location.line >= 1, location.line <= lines.count else { return description }
        let text = String(String.UnicodeScalarView(lines[location.line - 1]))
        let padding = String(repeating: " ", count: max(0, location.column - 1))
        return "\(description)\n  \(text)\n  \(padding)^"
    }
}

/// Helpers shared by the lexer and diagnostics.
package enum ScriptSource {
    /// The script's lines as Unicode scalars, without line terminators (`\n`, `\r\n` or `\r`).
    static func splitLines(_ source: String) -> [[Unicode.Scalar]] {
        var lines: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var previousWasCR = false
        for scalar in source.unicodeScalars {
            if scalar == "\n" {
                if !previousWasCR { lines.append(current) }
                current = []
                previousWasCR = false
            } else if scalar == "\r" {
                lines.append(current)
                current = []
                previousWasCR = true
            } else {
                current.append(scalar)
                previousWasCR = false
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}
