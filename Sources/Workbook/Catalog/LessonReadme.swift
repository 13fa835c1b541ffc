/// What netlab reads out of a lesson's README.md: the title (the first `# ` heading), the summary
/// (the first paragraph after it) and the hints (the `## Hints` section, one `###` per hint).
public struct LessonReadme: Sendable, Equatable {
    public struct Hint: Sendable, Equatable {
        /// The `###` heading's text.
        public var title: String
        /// The Markdown under the heading, trimmed.
        public var body: String

        public init(title: String, body: String) {
            self.title = title
            self.body = body
        }
    }

    public var title: String?
    public var summary: String?
    public var hints: [Hint]

    public init(title: String?, summary: String?, hints: [Hint]) {
        self.title = title
        self.summary = summary
        self.hints = hints
    }

    /// Reads the parts of a README. Headings inside code fences are not headings.
    public init(markdown: String) {
        var title: String?
        var summary: String?
        var paragraph: [String] = []
        var hints: [Hint] = []
        var inHints = false
        var currentHint: (title: String, body: [String])?
        var inFence = false

        func finishHint() {
            if let h = currentHint {
                hints.append(Hint(title: h.title, body: h.body.joined(separator: "\n").trimmingBlankLines()))
            }
            currentHint = nil
        }

        for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
            let trimmed = line.trimmingSpaces()
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { inFence.toggle() }
            let heading = inFence || trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") ? nil : Self.heading(line)

            // Summary: the first paragraph after the title (before any other heading).
            if summary == nil, title != nil {
                if heading != nil || (trimmed.isEmpty && !paragraph.isEmpty) {
                    if !paragraph.isEmpty { summary = paragraph.joined(separator: " ") }
                    if heading != nil && summary == nil { summary = "" }
                } else if !trimmed.isEmpty && !inFence && !trimmed.hasPrefix("```") && !trimmed.hasPrefix("~~~") {
                    paragraph.append(trimmed)
                }
            }

            if let (level, text) = heading {
                if level == 1, title == nil { title = Self.withoutLessonNumber(text); continue }
                if level <= 2 {
                    finishHint()
                    inHints = level == 2 && text.lowercased() == "hints"
                    continue
                }
                if inHints, level == 3 {
                    finishHint()
                    currentHint = (text, [])
                    continue
                }
            }
            if inHints, currentHint != nil { currentHint!.body.append(line) }
        }
        finishHint()
        if summary == nil, !paragraph.isEmpty { summary = paragraph.joined(separator: " ") }
        if summary == "" { summary = nil }
        self.init(title: title, summary: summary, hints: hints)
    }

    /// `Lesson 4 — A proxy` → `A proxy`: netlab shows the number itself, so a heading that
    /// repeats it would read "Lesson 4 · Lesson 4 — A proxy".
    static func withoutLessonNumber(_ heading: String) -> String {
        // Also `Lesson 4: A proxy`, `Lesson 4 - A proxy` and `Lesson 4 – A proxy`.
        let words = heading.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard words.count == 3, words[0].lowercased() == "lesson" else { return heading }
        let number = words[1].hasSuffix(":") ? words[1].dropLast() : words[1]
        guard !number.isEmpty, number.allSatisfy(\.isNumber) else { return heading }
        if words[1].hasSuffix(":") { return String(words[2]) }
        var rest = Substring(words[2])
        for separator in ["— ", "– ", "- ", ": "] where rest.hasPrefix(separator) {
            rest = rest.dropFirst(separator.count)
            return rest.isEmpty ? heading : String(rest)
        }
        return heading
    }

    /// The README without its `## Hints` section (what `netlab lesson` shows: hints come one at a
    /// time from `netlab hint`).
    public static func withoutHints(_ markdown: String) -> String {
        var out: [Substring] = []
        var skipping = false
        var inFence = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = String(line).trimmingSpaces()
            let fenceLine = trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~")
            if !inFence, !fenceLine, let (level, text) = heading(String(line)), level <= 2 {
                skipping = level == 2 && text.lowercased() == "hints"
            }
            if fenceLine { inFence.toggle() }
            if !skipping { out.append(line) }
        }
        return out.joined(separator: "\n")
    }

    /// `(level, text)` for an ATX heading line (`## Hints`), nil otherwise.
    static func heading(_ line: String) -> (Int, String)? {
        let hashes = line.prefix(while: { $0 == "#" })
        guard (1...6).contains(hashes.count) else { return nil }
        let rest = line.dropFirst(hashes.count)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        var text = String(rest).trimmingSpaces()
        while text.hasSuffix("#") { text.removeLast() }
        return (hashes.count, text.trimmingSpaces())
    }
}
