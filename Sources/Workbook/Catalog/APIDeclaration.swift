/// The head of one Swift declaration, read from its code (strings and comments masked): its
/// access level, keyword, name, and argument labels. nil for a line that declares nothing
/// (`deinit`, an expression, `}`).
struct Declaration: Equatable {
    /// `public`, `open`, `internal`, `fileprivate`, `private`, `package`; nil when not written.
    var access: String?
    /// `func`, `var`, `struct`, `extension`, …
    var keyword: String
    var kind: APISymbol.Kind
    var name: String
    /// `(_:from:)` for functions, initializers and subscripts; empty otherwise.
    var labels: String
    /// For `case a, b(Int)`: every name.
    var caseNames: [String]

    static let accessWords: Set<String> = ["public", "open", "internal", "fileprivate", "private", "package"]
    static let modifierWords: Set<String> = [
        "static", "final", "override", "mutating", "nonmutating", "nonisolated", "convenience", "required", "lazy",
        "weak", "unowned", "indirect", "dynamic", "optional", "consuming", "borrowing", "distributed", "isolated",
    ]
    static let kinds: [String: APISymbol.Kind] = [
        "struct": .type, "class": .type, "enum": .type, "protocol": .type, "actor": .type, "extension": .type,
        "associatedtype": .type, "typealias": .typeAlias, "func": .function, "init": .initializer,
        "subscript": .subscriptMember, "var": .property, "let": .property, "case": .enumCase,
    ]

    init?(_ code: String) {
        var rest = Substring(code)
        var access: String?
        // Attributes (`@inlinable`, `@available(…)`) and modifiers, then the keyword.
        while true {
            rest = rest.drop { $0 == " " || $0 == "\n" }
            if rest.hasPrefix("@") {
                rest = rest.dropFirst().drop { $0.isLetter || $0.isNumber || $0 == "_" }
                if rest.hasPrefix("(") { rest = Self.dropGroup(rest) }
                continue
            }
            let word = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            guard !word.isEmpty else { return nil }
            let after = rest.dropFirst(word.count)
            if Self.accessWords.contains(word) || word == "nonisolated" {
                rest = after
                if rest.hasPrefix("(") {
                    rest = Self.dropGroup(rest)  // `private(set)`, `nonisolated(unsafe)`: not the access level
                } else if Self.accessWords.contains(word) {
                    access = word
                }
                continue
            }
            if word == "class", let next = after.drop(while: { $0 == " " }).split(separator: " ").first,
                ["func", "var", "let", "subscript"].contains(String(next))
            {
                rest = after
                continue
            }
            if Self.modifierWords.contains(word) {
                rest = after
                continue
            }
            guard let kind = Self.kinds[word] else { return nil }
            self.access = access
            keyword = word
            self.kind = kind
            rest = after.drop { $0 == " " }
            break
        }
        labels = ""
        caseNames = []
        switch keyword {
        case "init", "subscript":
            name = keyword
            labels = Self.labels(rest.drop { $0 == "?" || $0 == "!" })
        case "func":
            let operatorCharacters = Set("/=-+!*%<>&|^~?.")
            let n =
                rest.first.map { operatorCharacters.contains($0) } == true
                ? rest.prefix { operatorCharacters.contains($0) }
                : rest.prefix { $0 != "(" && $0 != "<" && $0 != " " }
            name = String(n)
            labels = Self.labels(rest.dropFirst(n.count).drop { $0 == " " })
        case "case":
            caseNames = Self.topLevelParts(rest).compactMap { part in
                let n = part.drop { $0 == " " }.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "`" }
                return n.isEmpty ? nil : String(n)
            }
            guard let first = caseNames.first else { return nil }
            name = first
        default:
            let n = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "`" }
            guard !n.isEmpty else { return nil }
            name = String(n)
        }
    }

    /// `(_:from:)` from a parameter list `(_ a: Int, from b: String = "")`, skipping generics.
    static func labels(_ text: Substring) -> String {
        var rest = text
        if rest.hasPrefix("<") {
            var depth = 0
            var n = 0
            for c in rest {
                n += 1
                if c == "<" { depth += 1 } else if c == ">" { depth -= 1; if depth == 0 { break } }
            }
            rest = rest.dropFirst(n).drop { $0 == " " }
        }
        guard rest.hasPrefix("(") else { return "" }
        let group = rest.dropFirst().prefix(rest.count - dropGroup(rest).count - 2)
        let params = topLevelParts(group).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let names = params.map { param -> String in
            let head = param.split(separator: ":", maxSplits: 1).first.map(String.init) ?? param
            return head.split(separator: " ").first.map(String.init) ?? "_"
        }
        return "(" + names.map { $0 + ":" }.joined() + ")"
    }

    /// Everything after the parenthesised group `text` starts with.
    static func dropGroup(_ text: Substring) -> Substring {
        var depth = 0
        var n = 0
        for c in text {
            n += 1
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1; if depth == 0 { break } }
        }
        return text.dropFirst(n)
    }

    /// `text` split at commas outside brackets, up to a `{`, `=` or `:` at the top.
    static func topLevelParts(_ text: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            if c == "(" || c == "[" || c == "<" { depth += 1 } else if c == ")" || c == "]" || c == ">" { depth -= 1 }
            if depth == 0, c == "{" { break }
            if depth == 0, c == "," {
                parts.append(current)
                current = ""
                continue
            }
            current.append(c)
        }
        parts.append(current)
        return parts
    }
}

/// Swift source lines with comments and the insides of string literals replaced by spaces, one
/// character for one, so braces and parentheses can be counted on code alone and positions
/// still match the original.
enum CodeMask {
    private enum Mode {
        case code(parens: Int)
        case string(multiline: Bool, hashes: Int)
        case blockComment(depth: Int)
    }

    static func mask(_ lines: [String]) -> [String] {
        var stack: [Mode] = [.code(parens: 0)]
        var out: [String] = []
        for line in lines {
            let chars = Array(line)
            var masked = ""
            var k = 0
            // A single-line string does not go on past its line; a multi-line one does.
            if case .string(false, _)? = stack.last { stack.removeLast() }
            func peek(_ s: String) -> Bool {
                let a = Array(s)
                return k + a.count <= chars.count && Array(chars[k..<k + a.count]) == a
            }
            while k < chars.count {
                let c = chars[k]
                switch stack.last! {
                case .blockComment(let depth):
                    if peek("*/") {
                        stack.removeLast()
                        if depth > 1 { stack.append(.blockComment(depth: depth - 1)) }
                        masked += "  "; k += 2
                    } else if peek("/*") {
                        stack.removeLast(); stack.append(.blockComment(depth: depth + 1))
                        masked += "  "; k += 2
                    } else {
                        masked += " "; k += 1
                    }
                case .string(let multiline, let hashes):
                    let close = (multiline ? "\"\"\"" : "\"") + String(repeating: "#", count: hashes)
                    let interpolation = "\\" + String(repeating: "#", count: hashes) + "("
                    if peek(interpolation) {
                        stack.append(.code(parens: 1))
                        masked += String(repeating: " ", count: interpolation.count - 1) + "("
                        k += interpolation.count
                    } else if c == "\\", hashes == 0 {
                        masked += k + 1 < chars.count ? "  " : " "; k += 2
                    } else if peek(close) {
                        stack.removeLast()
                        masked += String(repeating: "\"", count: close.count); k += close.count
                    } else {
                        masked += " "; k += 1
                    }
                case .code(let parens):
                    if peek("//") {
                        masked += String(repeating: " ", count: chars.count - k); k = chars.count
                    } else if peek("/*") {
                        stack.append(.blockComment(depth: 1))
                        masked += "  "; k += 2
                    } else if c == "#" || c == "\"" {
                        var hashes = 0
                        while k + hashes < chars.count, chars[k + hashes] == "#" { hashes += 1 }
                        let at = k + hashes
                        if at < chars.count, chars[at] == "\"" {
                            let multiline = at + 2 < chars.count && chars[at + 1] == "\"" && chars[at + 2] == "\""
                            let open = hashes + (multiline ? 3 : 1)
                            stack.append(.string(multiline: multiline, hashes: hashes))
                            masked += String(repeating: "\"", count: open); k += open
                        } else {
                            masked.append(c); k += 1
                        }
                    } else if c == "(" {
                        stack.removeLast(); stack.append(.code(parens: parens + 1))
                        masked.append(c); k += 1
                    } else if c == ")" {
                        stack.removeLast()
                        if parens - 1 == 0, stack.count > 0, case .string = stack.last! {
                            // The end of a string interpolation: back inside the string.
                        } else {
                            stack.append(.code(parens: parens - 1))
                        }
                        masked.append(c); k += 1
                    } else {
                        masked.append(c); k += 1
                    }
                }
            }
            out.append(masked)
        }
        return out
    }
}
