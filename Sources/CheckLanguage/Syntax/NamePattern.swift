/// The set of concrete names a `NameTemplate` can stand for, used to check statically that a
/// client or data name is used only after it was introduced.
///
/// A loop variable stands for one or more decimal digits, so `c{i}` covers `c0`, `c17`, …; a use
/// is accepted when some earlier declaration can produce the same concrete name. `c{j}` after
/// `connect c{i}` is accepted; `d{i}` or `c` is not.
struct NamePattern: Sendable {
    enum Element: Sendable, Equatable {
        case scalar(Unicode.Scalar)
        case digit
        case digits  // zero or more
    }

    let elements: [Element]
    let source: NameTemplate

    init(_ name: NameTemplate) {
        source = name
        var out: [Element] = []
        for part in name.parts {
            switch part {
            case .literal(let text): out += text.unicodeScalars.map(Element.scalar)
            case .variable: out += [.digit, .digits]
            }
        }
        elements = out
    }

    /// Whether some concrete name matches both patterns.
    func overlaps(_ other: NamePattern) -> Bool {
        let a = elements, b = other.elements
        let width = b.count + 1
        var seen = [Bool](repeating: false, count: (a.count + 1) * width)
        var stack: [(Int, Int)] = [(0, 0)]
        while let (i, j) = stack.popLast() {
            let key = i * width + j
            if seen[key] { continue }
            seen[key] = true
            if i == a.count, j == b.count { return true }
            if i < a.count, a[i] == .digits { stack.append((i + 1, j)) }
            if j < b.count, b[j] == .digits { stack.append((i, j + 1)) }
            if i < a.count, j < b.count, Self.compatible(a[i], b[j]) {
                stack.append((a[i] == .digits ? i : i + 1, b[j] == .digits ? j : j + 1))
            }
        }
        return false
    }

    private static func compatible(_ x: Element, _ y: Element) -> Bool {
        switch (x, y) {
        case (.scalar(let c), .scalar(let d)): c == d
        case (.scalar(let c), _), (_, .scalar(let c)): c >= "0" && c <= "9"
        default: true
        }
    }
}
