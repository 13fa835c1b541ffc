/// Renders the Markdown of a lesson README for the terminal: headings, paragraphs (wrapped),
/// **bold**, *italic*, `code`, [links](url), fenced code blocks (indented, no wrapping), bullet
/// and numbered lists (with their wrapped continuation lines), block quotes, tables (each row as
/// a small block: the first cell as a title, the others labelled with their column's header, so
/// that long cells wrap readably on a terminal) and rules. It is a small line-oriented
/// renderer for the Markdown lessons use, not a CommonMark implementation.
public struct MarkdownRenderer: Sendable {
    public var style: Style
    /// Wrap paragraphs to this many columns (0: no wrapping).
    public var width: Int

    public init(style: Style, width: Int = 80) {
        self.style = style
        self.width = width
    }

    public func render(_ markdown: String) -> String {
        var out: [String] = []
        var paragraph: [String] = []
        var item: ListItem?
        var table: [[String]] = []
        var fence: String?

        func flushParagraph() {
            if var open = item {
                open.text = ([open.text] + paragraph).joined(separator: " ")
                out += renderItem(open)
                item = nil
            } else if !paragraph.isEmpty {
                out += wrap(inline(paragraph.joined(separator: " ")), indent: "")
            }
            paragraph = []
            if !table.isEmpty {
                out += renderTable(table)
                table = []
            }
        }

        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            let trimmed = line.trimmingSpaces()
            if let marker = fence {
                if trimmed.hasPrefix(marker) {
                    fence = nil
                    out.append("")
                } else {
                    out.append("    " + style.cyan(line))
                }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flushParagraph()
                fence = String(trimmed.prefix(3))
                let info = trimmed.dropFirst(3).trimmingCharacters()
                if !out.isEmpty, out.last != "" { out.append("") }
                if !info.isEmpty { out.append("    " + style.dim("── \(info) ──")) }
                continue
            }
            if trimmed.isEmpty {
                flushParagraph()
                if !out.isEmpty, out.last != "" { out.append("") }
                continue
            }
            if let (level, text) = LessonReadme.heading(trimmed) {
                flushParagraph()
                if !out.isEmpty, out.last != "" { out.append("") }
                let rendered = inline(text, base: level <= 2 ? "1;4" : "1")
                switch level {
                case 1:
                    out.append(style.color ? style.wrap(stripInlineMarkup(text), "1;36") : text)
                    out.append(String(repeating: "═", count: visibleWidth(text)))
                case 2:
                    out.append(style.color ? style.boldCyan(stripInlineMarkup(text)) : text)
                    out.append(String(repeating: "─", count: visibleWidth(text)))
                default:
                    out.append(style.color ? style.bold(rendered) : String(repeating: "#", count: level) + " " + text)
                }
                out.append("")
                continue
            }
            if trimmed == "---" || trimmed == "***" || trimmed == "___" {
                flushParagraph()
                out.append(style.dim(String(repeating: "─", count: min(width > 0 ? width : 40, 40))))
                continue
            }
            if let next = listItem(line) {
                flushParagraph()
                // Its continuation lines (the next lines that are not blocks of their own) are
                // gathered in `paragraph` and joined to it when it is flushed.
                item = next
                continue
            }
            if trimmed.hasPrefix(">") {
                flushParagraph()
                let text = trimmed.dropFirst().trimmingCharacters()
                out.append(style.dim("│ ") + inline(text))
                continue
            }
            if trimmed.hasPrefix("|") {
                if table.isEmpty { flushParagraph() }
                // The separator row (|---|---|) only marks the header.
                if !trimmed.allSatisfy({ "|-: ".contains($0) }) { table.append(tableCells(trimmed)) }
                continue
            }
            if !table.isEmpty { flushParagraph() }
            // A continuation of a list item (indented text after an item) joins the paragraph.
            paragraph.append(trimmed)
        }
        flushParagraph()
        while out.last == "" { out.removeLast() }
        return out.joined(separator: "\n") + "\n"
    }

    func renderItem(_ item: ListItem) -> [String] {
        let indent = String(repeating: " ", count: item.indent)
        let bullet = style.yellow(item.marker)
        let first = indent + "  " + bullet + " "
        let rest = indent + "  " + String(repeating: " ", count: visibleWidth(item.marker) + 1)
        let lines = wrap(inline(item.text), indent: rest, firstWidthIndent: visibleWidth(first))
        guard let head = lines.first else { return [] }
        return [first + head.dropFirstColumns(rest.count)] + lines.dropFirst()
    }

    /// The cells of `| a | b \| c | d |`: split at unescaped pipes outside `code`.
    func tableCells(_ row: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var inCode = false
        var previous: Character = " "
        for c in row {
            if c == "`" { inCode.toggle() }
            if c == "|", !inCode, previous != "\\" {
                cells.append(current.trimmingSpaces())
                current = ""
            } else {
                current.append(c)
            }
            previous = c
        }
        cells.append(current.trimmingSpaces())
        // The pipes at both ends leave an empty first and last cell.
        if cells.first == "" { cells.removeFirst() }
        if cells.last == "" { cells.removeLast() }
        return cells
    }

    /// A table as blocks: each row's first cell as a bullet, then its other cells, each after
    /// its column's header. The first row is the header.
    func renderTable(_ rows: [[String]]) -> [String] {
        guard let header = rows.first else { return [] }
        guard rows.count > 1 else { return wrap(inline(header.joined(separator: " · ")), indent: "") }
        var out: [String] = []
        for row in rows.dropFirst() {
            guard let title = row.first else { continue }
            out += renderItem(ListItem(indent: 0, marker: "•", text: "**\(title)**"))
            for (i, cell) in row.enumerated().dropFirst() where !cell.isEmpty {
                let label = i < header.count ? header[i] : ""
                let lead = "      " + (label.isEmpty ? "" : style.dim(label + ":") + " ")
                let lines = wrap(inline(cell), indent: "        ", firstWidthIndent: visibleWidth(lead))
                if let head = lines.first {
                    out.append(lead + head.dropFirstColumns(8))
                    out += lines.dropFirst()
                }
            }
        }
        return out
    }

    struct ListItem {
        var indent: Int
        var marker: String
        var text: String
    }

    func listItem(_ line: String) -> ListItem? {
        let spaces = line.prefix(while: { $0 == " " }).count
        let rest = line.dropFirst(spaces)
        if let f = rest.first, "-*+".contains(f), rest.dropFirst().first == " " {
            return ListItem(indent: spaces, marker: "•", text: String(rest.dropFirst(2)).trimmingSpaces())
        }
        let digits = rest.prefix(while: \.isNumber)
        if !digits.isEmpty, digits.count <= 3 {
            let after = rest.dropFirst(digits.count)
            if let d = after.first, d == "." || d == ")", after.dropFirst().first == " " {
                return ListItem(indent: spaces, marker: "\(digits).", text: String(after.dropFirst(2)).trimmingSpaces())
            }
        }
        return nil
    }

    /// Inline markup: `code`, **bold**, *italic* / _italic_, [text](url). `base` is the SGR code
    /// to restore after a styled span (for headings).
    func inline(_ text: String, base: String? = nil) -> String {
        var out = ""
        let chars = Array(text)
        var i = 0
        func restore() -> String { (style.color && base != nil) ? "\u{1B}[\(base!)m" : "" }
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, "\\`*_[]()#+-.!|<>".contains(chars[i + 1]) {
                out.append(chars[i + 1]); i += 2; continue
            }
            if c == "`" {
                let ticks = chars[i...].prefix(while: { $0 == "`" }).count
                let marker = String(repeating: "`", count: ticks)
                if let end = find(marker, in: chars, from: i + ticks) {
                    let code = String(chars[(i + ticks)..<end]).trimmingSpaces()
                    out += (style.color ? style.cyan(code) : "`\(code)`") + restore()
                    i = end + ticks
                    continue
                }
            }
            if c == "*" || c == "_", i + 1 < chars.count, chars[i + 1] == c {
                let marker = String([c, c])
                if let end = find(marker, in: chars, from: i + 2), end > i + 2 {
                    let inner = inline(String(chars[(i + 2)..<end]), base: base)
                    out += (style.color ? style.bold(inner) : inner) + restore()
                    i = end + 2
                    continue
                }
            }
            if c == "*" || (c == "_" && (i == 0 || !chars[i - 1].isLetter)), i + 1 < chars.count, chars[i + 1] != " " {
                if let end = find(String(c), in: chars, from: i + 1), end > i + 1, chars[end - 1] != " ",
                    c == "*" || end + 1 >= chars.count || !chars[end + 1].isLetter
                {
                    let inner = inline(String(chars[(i + 1)..<end]), base: base)
                    out += (style.color ? style.italic(inner) : inner) + restore()
                    i = end + 1
                    continue
                }
            }
            if c == "[", let close = find("]", in: chars, from: i + 1), close + 1 < chars.count, chars[close + 1] == "(",
                let paren = find(")", in: chars, from: close + 2)
            {
                let label = inline(String(chars[(i + 1)..<close]), base: base)
                let url = String(chars[(close + 2)..<paren])
                out += style.color ? style.underline(label) + restore() + style.dim(" (\(url))") + restore() : "\(label) (\(url))"
                i = paren + 1
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }

    func stripInlineMarkup(_ text: String) -> String {
        Self(style: .plain, width: 0).inline(text).replacingBackticks()
    }

    func find(_ marker: String, in chars: [Character], from start: Int) -> Int? {
        let m = Array(marker)
        guard start <= chars.count - m.count else { return nil }
        var i = start
        while i <= chars.count - m.count {
            if Array(chars[i..<(i + m.count)]) == m { return i }
            i += 1
        }
        return nil
    }

    /// Word-wraps styled text at `width` visible columns.
    func wrap(_ text: String, indent: String, firstWidthIndent: Int? = nil) -> [String] {
        guard width > 0 else { return [indent + text] }
        var lines: [String] = []
        var current = ""
        var currentWidth = 0
        let limit = max(20, width - indent.count)
        // The first line may start further right (after a bullet or a label).
        let firstLimit = max(20, width - (firstWidthIndent ?? indent.count))
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let w = visibleWidth(String(word))
            if currentWidth > 0, currentWidth + 1 + w > (lines.isEmpty ? firstLimit : limit) {
                lines.append(indent + current)
                current = String(word)
                currentWidth = w
            } else {
                current += (currentWidth > 0 ? " " : "") + word
                currentWidth += (currentWidth > 0 ? 1 : 0) + w
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(indent + current) }
        return lines
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingSpaces() }
}

extension String {
    func dropFirstColumns(_ n: Int) -> String { String(dropFirst(n)) }
    func replacingBackticks() -> String { filter { $0 != "`" } }
}
