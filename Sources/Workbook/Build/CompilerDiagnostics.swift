/// Compiler output trimmed to the learner's file: the diagnostics in `lessons/NN-slug/main.swift`
/// with their code lines and carets, then a count of errors elsewhere.
public struct CompilerDiagnostics: Sendable, Equatable {
    public struct Diagnostic: Sendable, Equatable {
        public var file: String
        public var line: Int
        public var column: Int
        /// `error`, `warning` or `note`.
        public var severity: String
        public var message: String
        /// The header line and the code lines after it (`12 |   foo()`, `   |   ^`).
        public var text: [String]
    }

    /// Every diagnostic in the log, without repeats (SwiftPM often prints one twice).
    public var diagnostics: [Diagnostic]

    public init(log: String) {
        var result: [Diagnostic] = []
        var seen = Set<String>()
        var current: Diagnostic?
        func finish() {
            if let d = current {
                let key = "\(d.file):\(d.line):\(d.column):\(d.severity):\(d.message)"
                if seen.insert(key).inserted { result.append(d) }
            }
            current = nil
        }
        for raw in log.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = Self.stripANSI(String(raw))
            if let header = Self.header(line) {
                finish()
                current = header
                continue
            }
            if current != nil {
                if Self.isContext(line) {
                    current!.text.append(line)
                    continue
                }
                finish()
            }
        }
        finish()
        diagnostics = result
    }

    /// `path:line:col: severity: message`.
    static func header(_ line: String) -> Diagnostic? {
        for severity in ["error", "warning", "note"] {
            guard let range = line.range(of: ": \(severity): ") else { continue }
            let location = line[..<range.lowerBound]
            let parts = location.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 3, let col = Int(parts[parts.count - 1]), let ln = Int(parts[parts.count - 2]) else { continue }
            let file = parts[0..<(parts.count - 2)].joined(separator: ":")
            guard !file.isEmpty, !file.contains(" ") || file.hasPrefix("/") else { continue }
            return Diagnostic(
                file: file, line: ln, column: col, severity: severity,
                message: String(line[range.upperBound...]), text: [line])
        }
        return nil
    }

    /// A code-context line: `  12 | code`, `     |   ^~~~`, `     |   `- error: …`, or an old
    /// style source line followed by a caret line.
    static func isContext(_ line: String) -> Bool {
        let t = line.drop(while: { $0 == " " })
        let digits = t.prefix(while: \.isNumber)
        let after = t.dropFirst(digits.count).drop(while: { $0 == " " })
        if after.hasPrefix("|") { return true }
        if t.first == "^" || t.hasPrefix("~") { return true }
        return false
    }

    static func stripANSI(_ s: String) -> String {
        guard s.contains("\u{1B}") else { return s }
        var out = ""
        var inEscape = false
        for c in s.unicodeScalars {
            if inEscape { if (0x40...0x7E).contains(c.value) && c != "[" { inEscape = false }; continue }
            if c == "\u{1B}" { inEscape = true; continue }
            out.unicodeScalars.append(c)
        }
        return out
    }

    static func matches(_ file: String, _ learnerFile: String) -> Bool {
        file == learnerFile || file.hasSuffix("/" + learnerFile)
    }

    /// The errors (and their notes) in `learnerFile` (a path relative to the package root).
    public func inFile(_ learnerFile: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var lastWasShown = false
        for d in diagnostics {
            if d.severity == "note" {
                if lastWasShown, Self.matches(d.file, learnerFile) { out.append(d) }
                continue
            }
            lastWasShown = d.severity == "error" && Self.matches(d.file, learnerFile)
            if lastWasShown { out.append(d) }
        }
        return out
    }

    /// Errors anywhere else.
    public func otherErrors(than learnerFile: String) -> [Diagnostic] {
        diagnostics.filter { $0.severity == "error" && !Self.matches($0.file, learnerFile) }
    }

    /// What the learner sees when the build fails: their file's errors with code, a count of the
    /// rest, and the command that shows everything. `fullLog` is used when no diagnostic could be
    /// read at all (the last lines are shown).
    public func renderTrimmed(learnerFile: String, rootPath: String, fullLog: String, command: String, style: Style) -> String {
        let mine = inFile(learnerFile)
        let others = otherErrors(than: learnerFile)
        var out: [String] = []
        func relative(_ line: String) -> String {
            rootPath.isEmpty ? line : line.replacingOccurrences(of: rootPath.hasSuffix("/") ? rootPath : rootPath + "/", with: "")
        }
        for d in mine {
            var lines = d.text.map(relative)
            if style.color, !lines.isEmpty {
                lines[0] = d.severity == "error" ? style.red(lines[0]) : style.cyan(lines[0])
            }
            out.append(lines.joined(separator: "\n"))
        }
        let errorCount = mine.filter { $0.severity == "error" }.count
        if mine.isEmpty {
            if !others.isEmpty {
                out.append("No errors in \(learnerFile), but the build failed elsewhere. The first:")
                out += others.prefix(3).map { $0.text.map(relative).joined(separator: "\n") }
            } else {
                let tail = fullLog.split(separator: "\n").suffix(15).map { relative(Self.stripANSI(String($0))) }
                out.append("The build failed. Its last lines:\n" + tail.joined(separator: "\n"))
            }
        }
        var footer: [String] = []
        if errorCount > 0 { footer.append("\(errorCount) error\(errorCount == 1 ? "" : "s") in \(learnerFile)") }
        if !others.isEmpty { footer.append("\(others.count) other error\(others.count == 1 ? "" : "s") in other files") }
        if !footer.isEmpty { out.append(footer.joined(separator: "; ") + ".") }
        out.append("To see the whole build output: \(style.bold(command))")
        return out.joined(separator: "\n\n")
    }
}
