/// A line diff (Myers' O(ND) algorithm) and its unified-diff rendering, for `netlab solution`.
import CheckLanguage
public enum Diff {
    public enum Line: Sendable, Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The shortest edit script turning `a` into `b`, as a sequence of lines in order.
    public static func lines(_ a: [String], _ b: [String]) -> [Line] {
        let n = a.count, m = b.count
        let max = n + m
        if max == 0 { return [] }
        var v = [Int](repeating: 0, count: 2 * max + 2)
        var trace: [[Int]] = []
        let offset = max + 1
        outer: for d in 0...max {
            trace.append(v)
            var k = -d
            while k <= d {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n, y >= m { trace.append(v); break outer }
                k += 2
            }
        }
        // Backtrack from (n, m).
        var result: [Line] = []
        var x = n, y = m
        for d in stride(from: trace.count - 2, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let prevK: Int
            if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                prevK = k + 1
            } else {
                prevK = k - 1
            }
            let prevX = v[offset + prevK]
            let prevY = prevX - prevK
            while x > prevX, y > prevY {
                result.append(.same(a[x - 1])); x -= 1; y -= 1
            }
            if d > 0 {
                if x == prevX { result.append(.added(b[y - 1])); y -= 1 } else { result.append(.removed(a[x - 1])); x -= 1 }
            }
        }
        while x > 0, y > 0 { result.append(.same(a[x - 1])); x -= 1; y -= 1 }
        return result.reversed()
    }

    /// A unified diff (`---`/`+++` headers, `@@ -a,b +c,d @@` hunks with `context` lines around
    /// each change). Empty when the texts are equal.
    public static func unified(
        from old: String, to new: String, oldName: String, newName: String,
        context: Int = 3, style: Style = .plain
    ) -> String {
        let a = splitLines(old), b = splitLines(new)
        let script = lines(a, b)
        guard script.contains(where: { if case .same = $0 { return false } else { return true } }) else { return "" }
        // Positions (1-based line numbers in a and b) of each script entry.
        var entries: [(line: Line, aLine: Int, bLine: Int)] = []
        var ai = 1, bi = 1
        for line in script {
            entries.append((line, ai, bi))
            switch line {
            case .same: ai += 1; bi += 1
            case .removed: ai += 1
            case .added: bi += 1
            }
        }
        // Group changes into hunks.
        var hunks: [Range<Int>] = []
        var i = 0
        while i < entries.count {
            if case .same = entries[i].line { i += 1; continue }
            var start = Swift.max(0, i - context)
            var end = i
            // Extend while changes are within 2*context of each other.
            var j = i
            var lastChange = i
            while j < entries.count {
                if case .same = entries[j].line {
                    if j - lastChange > 2 * context { break }
                } else {
                    lastChange = j
                }
                j += 1
            }
            end = Swift.min(entries.count, lastChange + context + 1)
            if let prev = hunks.last, prev.upperBound >= start { start = prev.lowerBound; hunks.removeLast() }
            hunks.append(start..<end)
            i = lastChange + 1
        }
        var out = [style.bold("--- \(oldName)"), style.bold("+++ \(newName)")]
        for hunk in hunks {
            let slice = entries[hunk]
            let aCount = slice.filter { if case .added = $0.line { return false } else { return true } }.count
            let bCount = slice.filter { if case .removed = $0.line { return false } else { return true } }.count
            let aStart = aCount == 0 ? slice.first!.aLine - 1 : slice.first!.aLine
            let bStart = bCount == 0 ? slice.first!.bLine - 1 : slice.first!.bLine
            out.append(style.cyan("@@ -\(aStart),\(aCount) +\(bStart),\(bCount) @@"))
            for e in slice {
                switch e.line {
                case .same(let s): out.append(" " + s)
                case .removed(let s): out.append(style.red("-" + s))
                case .added(let s): out.append(style.green("+" + s))
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func splitLines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
