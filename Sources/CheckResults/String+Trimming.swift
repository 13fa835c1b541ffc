extension String {
    /// Without leading and trailing spaces and tabs.
    package func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\r" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s.removeLast() }
        return String(s)
    }

    /// Without blank lines at the start and the end.
    package func trimmingBlankLines() -> String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let f = lines.first, f.trimmingSpaces().isEmpty { lines.removeFirst() }
        while let l = lines.last, l.trimmingSpaces().isEmpty { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
