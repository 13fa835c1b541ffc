#if canImport(Glibc)
import Glibc
#endif

/// Terminal styling. Colour is on only when stdout is a terminal and `NO_COLOR` is unset (or
/// empty), following no-color.org.
public struct Style: Sendable, Equatable {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    /// Plain text: what tests, pipes and `NO_COLOR` get.
    public static let plain = Style(color: false)

    /// Colour when stdout is a TTY and `NO_COLOR` is not set.
    public static func detect(environment: [String: String]) -> Style {
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return Style(color: !noColor && isatty(1) == 1)
    }

    func wrap(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    public func bold(_ s: String) -> String { wrap(s, "1") }
    public func dim(_ s: String) -> String { wrap(s, "2") }
    public func italic(_ s: String) -> String { wrap(s, "3") }
    public func underline(_ s: String) -> String { wrap(s, "4") }
    public func red(_ s: String) -> String { wrap(s, "31") }
    public func green(_ s: String) -> String { wrap(s, "32") }
    public func yellow(_ s: String) -> String { wrap(s, "33") }
    public func blue(_ s: String) -> String { wrap(s, "34") }
    public func magenta(_ s: String) -> String { wrap(s, "35") }
    public func cyan(_ s: String) -> String { wrap(s, "36") }
    public func boldCyan(_ s: String) -> String { wrap(s, "1;36") }

    /// `✓` / `✗` marks.
    public var passMark: String { green("✓") }
    public var failMark: String { red("✗") }
    public var errorMark: String { red("!") }
}

/// Visible width of a string in a terminal, ignoring ANSI escape sequences (each Character
/// counts one column; good enough for tables of names and numbers).
func visibleWidth(_ s: String) -> Int {
    var width = 0
    var inEscape = false
    for c in s.unicodeScalars {
        if inEscape {
            if c == "m" { inEscape = false }
            continue
        }
        if c == "\u{1B}" { inEscape = true; continue }
        width += 1
    }
    return width
}

/// `s` padded with spaces to `width` visible columns.
func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
    let n = max(0, width - visibleWidth(s))
    return right ? String(repeating: " ", count: n) + s : s + String(repeating: " ", count: n)
}

/// A plain text table: a header row and rows, columns padded; columns listed in `rightAligned`
/// are aligned right (numbers).
public func renderTable(header: [String], rows: [[String]], rightAligned: Set<Int> = [], style: Style = .plain) -> String {
    let count = header.count
    var widths = header.map(visibleWidth)
    for row in rows {
        for (i, cell) in row.prefix(count).enumerated() { widths[i] = max(widths[i], visibleWidth(cell)) }
    }
    func line(_ cells: [String]) -> String {
        cells.prefix(count).enumerated().map { i, c in pad(c, widths[i], right: rightAligned.contains(i)) }
            .joined(separator: "  ").trimmingTrailingSpaces()
    }
    var out = [style.bold(line(header))]
    out.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
    out += rows.map(line)
    return out.joined(separator: "\n")
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
