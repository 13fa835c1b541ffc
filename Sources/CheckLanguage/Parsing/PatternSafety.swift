/// The parse-time rule that keeps a `/pattern/` from backtracking for hours: no group repeated
/// without bound (`*`, `+`, `{n,}`) may itself contain a repetition without bound. `/^(a+)+$/`
/// tries every way to cut 40 `a`s into pieces before it fails, 2^39 of them; `/^a+$/` matches
/// the same lines at once. A possessive quantifier (`a++`, `(a+)*+`) gives nothing back, so
/// it is allowed. Patterns that slip past this rule (`(a|aa)+`, say) are still bounded when
/// they run: see `PatternMatcher`.
enum PatternSafety {
    /// A group that repeats a repetition: where its `(` is (an offset in the scanned scalars)
    /// and its text with the quantifier, such as `(a+)+`.
    struct NestedRepetition: Equatable {
        var offset: Int
        var text: String
    }

    /// The first group in `scalars` (a pattern as written, without its slashes) that repeats,
    /// without bound, something that itself repeats without bound.
    static func nestedRepetition(in scalars: [Unicode.Scalar]) -> NestedRepetition? {
        struct Frame {
            var open: Int
            var containsUnbounded = false
        }
        var stack: [Frame] = [Frame(open: -1)]
        var i = 0
        let n = scalars.count
        while i < n {
            let c = scalars[i]
            switch c {
            case "\\":
                // `\Q…\E` is literal text; any other escape is one atom (`\d`, `\/`, `\p{L}`).
                if i + 1 < n, scalars[i + 1] == "Q" {
                    i += 2
                    while i < n, !(scalars[i] == "\\" && i + 1 < n && scalars[i + 1] == "E") { i += 1 }
                    i += 2
                    continue
                }
                i = min(n, i + 2)
                if i < n, scalars[i] == "{", scalars[i - 1] != "{" {
                    // `\p{L}`, `\x{41}`, `\u{…}`, `\N{…}`: the braces belong to the escape.
                    let letter = scalars[i - 1]
                    if "pPxuNgk".unicodeScalars.contains(letter), let close = scalars[i...].firstIndex(of: "}") {
                        i = close + 1
                    }
                }
                i = quantifier(after: i, scalars, &stack[stack.count - 1].containsUnbounded)
            case "[":
                i = classEnd(from: i, scalars)
                i = quantifier(after: i, scalars, &stack[stack.count - 1].containsUnbounded)
            case "(":
                if i + 2 < n, scalars[i + 1] == "?", scalars[i + 2] == "#" {
                    // `(?#comment)`
                    i = (scalars[i...].firstIndex(of: ")") ?? n - 1) + 1
                    continue
                }
                stack.append(Frame(open: i))
                i += 1
            case ")":
                guard stack.count > 1, let frame = stack.popLast() else { i += 1; continue }
                var repeats = false
                let (end, unbounded, possessive) = quantifierShape(after: i + 1, scalars)
                repeats = unbounded && !possessive
                if repeats, frame.containsUnbounded {
                    return NestedRepetition(offset: frame.open, text: String(String.UnicodeScalarView(scalars[frame.open..<end])))
                }
                if frame.containsUnbounded || repeats { stack[stack.count - 1].containsUnbounded = true }
                i = end
            default:
                i = quantifier(after: i + 1, scalars, &stack[stack.count - 1].containsUnbounded)
            }
        }
        return nil
    }

    /// Skips the quantifier after an atom that ends before `i`, marking `unbounded` when it
    /// repeats without bound and can give back what it took.
    private static func quantifier(after i: Int, _ s: [Unicode.Scalar], _ unbounded: inout Bool) -> Int {
        let (end, isUnbounded, possessive) = quantifierShape(after: i, s)
        if isUnbounded, !possessive { unbounded = true }
        return end
    }

    /// The end of the quantifier at `i` (or `i` when there is none), whether it repeats without
    /// bound (`*`, `+`, `{n,}`), and whether it is possessive (a trailing `+`).
    static func quantifierShape(after i: Int, _ s: [Unicode.Scalar]) -> (end: Int, unbounded: Bool, possessive: Bool) {
        guard i < s.count else { return (i, false, false) }
        var end = i
        var unbounded = false
        switch s[i] {
        case "*", "+":
            unbounded = true
            end = i + 1
        case "?":
            end = i + 1
        case "{":
            // `{n}`, `{n,}`, `{n,m}`, `{,m}`; anything else is a literal brace.
            var j = i + 1
            var digitsBefore = 0
            while j < s.count, s[j].properties.numericType != nil, s[j].isASCII { j += 1; digitsBefore += 1 }
            var comma = false
            var digitsAfter = 0
            if j < s.count, s[j] == "," {
                comma = true
                j += 1
                while j < s.count, s[j].properties.numericType != nil, s[j].isASCII { j += 1; digitsAfter += 1 }
            }
            guard j < s.count, s[j] == "}", digitsBefore + digitsAfter > 0 else { return (i, false, false) }
            unbounded = comma && digitsAfter == 0
            end = j + 1
        default:
            return (i, false, false)
        }
        var possessive = false
        if end < s.count, s[end] == "?" {
            end += 1  // lazy: still backtracks
        } else if end < s.count, s[end] == "+" {
            possessive = true
            end += 1
        }
        return (end, unbounded, possessive)
    }

    /// The index after the `]` that closes the character class opening at `start`. A `]` right
    /// after `[` or `[^` is literal; `[:alpha:]` and nested classes (`[a-z&&[^x]]`) are skipped.
    static func classEnd(from start: Int, _ s: [Unicode.Scalar]) -> Int {
        var i = start + 1
        if i < s.count, s[i] == "^" { i += 1 }
        if i < s.count, s[i] == "]" { i += 1 }
        var depth = 1
        while i < s.count {
            switch s[i] {
            case "\\":
                i += 2
                continue
            case "[":
                if i + 1 < s.count, s[i + 1] == ":", let close = s[(i + 2)...].firstIndex(of: "]") {
                    i = close + 1
                    continue
                }
                depth += 1
            case "]":
                depth -= 1
                if depth == 0 { return i + 1 }
            default:
                break
            }
            i += 1
        }
        return s.count
    }
}
