/// "Did you mean …?" for misspelt commands, keywords and names.
package enum Suggestion {
    /// The candidate closest to `word` by edit distance, when it is close enough to be a likely
    /// typo (at most 2 edits, and fewer edits than the word has characters).
    package static func nearest(to word: String, in candidates: [String]) -> String? {
        let w = Array(word.unicodeScalars.prefix(64))
        var best: (String, Int)? = nil
        for candidate in candidates {
            let d = distance(w, Array(candidate.unicodeScalars.prefix(64)))
            if d <= 2, d < w.count, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// ` (did you mean `x`?)` or the empty string.
    static func didYouMean(_ word: String, in candidates: [String], wrap: (String) -> String = { "`\($0)`" }) -> String {
        guard let near = nearest(to: word, in: candidates) else { return "" }
        return " (did you mean \(wrap(near))?)"
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    package static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            previous2 = previous
            previous = current
        }
        return previous[b.count]
    }

    /// `a, b or c`
    static func list(_ items: [String], conjunction: String = "or") -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
        }
    }
}
