import Foundation

/// One public declaration of a module a learner uses (NetCore, NetTLS, LessonKit), with its doc
/// comment, for `netlab api`.
public struct APISymbol: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case type, function, initializer, property, enumCase = "case", subscriptMember = "subscript", typeAlias = "typealias"
    }

    public var module: String
    /// Qualified, without arguments: `TCPConn.setReadDeadline`, `copy`, `ByteString`.
    public var name: String
    /// With argument labels for functions: `TCPConn.setReadDeadline(_:)`, `copy(from:to:)`.
    public var displayName: String
    public var kind: Kind
    /// As written, up to its body: `public func setReadDeadline(_ deadline: Deadline?) throws`.
    public var declaration: String
    /// The doc comment without its `///`; empty when it has none.
    public var doc: String
    /// A requirement of a protocol (its doc stands for the conforming types' members).
    public var isRequirement = false
    /// `Sources/NetCore/TCPConn.swift`, and the line of the declaration.
    public var file: String
    public var line: Int

    /// The first sentence of the doc comment.
    public var summary: String { APIIndex.firstSentence(doc) }
}

/// The public API of NetCore, NetTLS and LessonKit, read from their sources' doc comments when
/// `netlab api` runs: netlab always runs inside the package, so the sources are there and are the
/// very code the learner's program compiles against. Nothing is generated, so nothing can go stale.
///
/// The reader knows Swift's declarations as this package writes them: `///` doc comments, then
/// attributes, then one declaration (its parameters may span lines), with members inside the
/// braces of a type or an extension. A member is public when it says `public` or `open`, or it
/// is a requirement of a public protocol, a case of a public enum, or inside a `public extension`.
/// Code inside function bodies, strings and comments is skipped.
public enum APIIndex {
    /// The modules `netlab api` shows, in order.
    public static let modules = ["NetCore", "NetTLS", "LessonKit", "Syscall"]

    /// Every public symbol of `modules` under `root/Sources`, module by module, each module's
    /// symbols in file order.
    public static func load(root: URL, modules: [String] = APIIndex.modules) -> [APISymbol] {
        var out: [APISymbol] = []
        for module in modules {
            let dir = root.appendingPathComponent("Sources/\(module)")
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".swift") }.sorted()
            for file in files {
                guard let text = try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) else { continue }
                out += symbols(in: text, module: module, file: "Sources/\(module)/\(file)")
            }
        }
        inheritDocs(&out)
        return out
    }

    private struct Context {
        var name: String?
        var isType: Bool
        var isPublic: Bool
        var isProtocol = false
        var isEnum = false
        var isPublicExtension = false
    }

    /// The public declarations in one file's text.
    public static func symbols(in text: String, module: String, file: String) -> [APISymbol] {
        let lines = text.components(separatedBy: "\n")
        let code = CodeMask.mask(lines)
        var stack: [Context] = []
        var doc: [String] = []
        var out: [APISymbol] = []
        var i = 0
        func inDeclarationScope() -> Bool { stack.allSatisfy(\.isType) }
        func apply(braces text: String, opening: Context?) {
            var first = opening
            for c in text {
                if c == "{" {
                    stack.append(first ?? Context(isType: false, isPublic: false))
                    first = nil
                } else if c == "}", !stack.isEmpty {
                    stack.removeLast()
                }
            }
        }
        while i < lines.count {
            let raw = lines[i].trimmingCharacters(in: .whitespaces)
            let masked = code[i]
            guard inDeclarationScope() else {
                apply(braces: masked, opening: nil)
                i += 1
                continue
            }
            if raw.hasPrefix("///") {
                var d = String(raw.dropFirst(3))
                if d.hasPrefix(" ") { d.removeFirst() }
                doc.append(d)
                i += 1
                continue
            }
            if raw.isEmpty || raw.hasPrefix("//") || raw.hasPrefix("#") {
                if raw.isEmpty { doc = [] }
                i += 1
                continue
            }
            // An attribute on a line of its own (`@discardableResult`) belongs to the next line.
            if raw.hasPrefix("@"), Declaration(masked) == nil, !masked.contains("{") {
                i += 1
                continue
            }
            // One declaration: its lines until the parentheses close and nothing continues it.
            let start = i
            var text = masked
            while i + 1 < lines.count, !text.contains("{"),
                balance(text) > 0 || continues(code[i + 1].trimmingCharacters(in: .whitespaces))
            {
                i += 1
                text += "\n" + code[i]
            }
            let original = lines[start...i].map { $0 }.joined(separator: "\n")
            let parsed = Declaration(text.trimmingCharacters(in: .whitespaces))
            var opening: Context?
            if let parsed {
                let parent = stack.last
                let parentName = parent?.name
                let qualified = [parentName, parsed.name].compactMap { $0 }.joined(separator: ".")
                let explicit = parsed.access
                let visibleParent = stack.allSatisfy { $0.isPublic || $0.isPublicExtension }
                let isPublic: Bool
                switch explicit {
                case "public", "open": isPublic = visibleParent
                case nil:
                    isPublic =
                        visibleParent
                        && (parent.map { p in
                            p.isPublicExtension || (p.isProtocol && p.isPublic) || (p.isEnum && p.isPublic && parsed.kind == .enumCase)
                        } ?? false)
                default: isPublic = false
                }
                if parsed.keyword == "extension" {
                    // Members of an extension are public when they say so (or the extension does).
                    opening = Context(name: parsed.name, isType: true, isPublic: true, isPublicExtension: explicit == "public")
                } else if parsed.kind == .type, parsed.keyword != "typealias" {
                    opening = Context(
                        name: qualified, isType: true, isPublic: isPublic,
                        isProtocol: parsed.keyword == "protocol", isEnum: parsed.keyword == "enum")
                }
                if isPublic, parsed.keyword != "extension" {
                    let declaration = declarationText(original, masked: text)
                    let names = parsed.kind == .enumCase ? parsed.caseNames : [parsed.name]
                    for name in names {
                        let q = [parentName, name].compactMap { $0 }.joined(separator: ".")
                        out.append(
                            APISymbol(
                                module: module, name: q, displayName: q + parsed.labels, kind: parsed.kind,
                                declaration: declaration, doc: doc.joined(separator: "\n"),
                                isRequirement: parent?.isProtocol == true, file: file, line: start + 1))
                    }
                }
            }
            doc = []
            apply(braces: text, opening: opening)
            i += 1
        }
        return out
    }

    /// A member without a doc comment that implements a documented protocol requirement of the
    /// same name (`PrefixConn.read(into:)` and `Conn.read(into:)`) gets the requirement's doc,
    /// headed by where it comes from.
    static func inheritDocs(_ symbols: inout [APISymbol]) {
        var requirements: [String: APISymbol] = [:]
        for s in symbols where s.isRequirement && !s.doc.isEmpty {
            let member = s.displayName.split(separator: ".").dropFirst().joined(separator: ".")
            if requirements[member] == nil { requirements[member] = s }
        }
        for k in symbols.indices where symbols[k].doc.isEmpty && !symbols[k].isRequirement {
            let member = symbols[k].displayName.split(separator: ".").dropFirst().joined(separator: ".")
            guard !member.isEmpty, let r = requirements[member] else { continue }
            // A protocol extension's default implementation: the requirement's own words.
            symbols[k].doc = r.name == symbols[k].name ? r.doc : "As ``\(r.displayName)``: " + r.doc
        }
    }

    /// `(` minus `)` and `[` minus `]` in code.
    static func balance(_ code: String) -> Int {
        code.reduce(0) { n, c in c == "(" || c == "[" ? n + 1 : c == ")" || c == "]" ? n - 1 : n }
    }

    /// Whether a line carries on the declaration above (`-> T`, `where …`, `throws`).
    static func continues(_ line: String) -> Bool {
        ["->", "where ", "throws", "rethrows", "async"].contains { line.hasPrefix($0) }
    }

    /// The declaration as written, without its body or trailing comments: everything before the
    /// first `{` outside parentheses, with the lines' common indentation removed.
    static func declarationText(_ original: String, masked: String) -> String {
        var depth = 0
        var lines: [String] = []
        let pairs = zip(original.components(separatedBy: "\n"), masked.components(separatedBy: "\n"))
        outer: for (line, code) in pairs {
            var keep = 0
            var count = 0
            var cut = false
            for c in code {
                if c == "(" || c == "[" { depth += 1 } else if c == ")" || c == "]" { depth -= 1 }
                if c == "{", depth <= 0 { cut = true; break }
                count += 1
                if c != " " { keep = count }
            }
            lines.append(String(line.prefix(keep)))
            if cut { break outer }
        }
        let indent =
            lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return lines.map { String($0.dropFirst(min(indent, $0.prefix { $0 == " " }.count))) }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The first sentence of a doc comment: up to the first `. ` outside backticks that does not
    /// end an abbreviation, on the first paragraph.
    public static func firstSentence(_ doc: String) -> String {
        let paragraph = doc.components(separatedBy: "\n\n").first ?? ""
        if paragraph.hasPrefix("- Parameters:") {
            // Only a parameter list: name the parameters.
            let names = paragraph.split(separator: "\n").dropFirst().compactMap { line -> String? in
                let t = line.trimmingCharacters(in: .whitespaces)
                guard t.hasPrefix("- "), let colon = t.firstIndex(of: ":") else { return nil }
                return String(t[t.index(t.startIndex, offsetBy: 2)..<colon])
            }
            return "Parameters: " + names.joined(separator: ", ") + "."
        }
        let text = paragraph.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        var inCode = false
        var word = ""
        let chars = Array(text)
        for (k, c) in chars.enumerated() {
            if c == "`" { inCode.toggle() }
            if c == ".", !inCode, k + 1 == chars.count || chars[k + 1] == " " {
                if !["e.g", "i.e", "etc", "vs"].contains(word.lowercased()) { return String(chars[...k]) }
            }
            word = c == " " || c == "(" ? "" : word + String(c)
        }
        return text
    }
}
