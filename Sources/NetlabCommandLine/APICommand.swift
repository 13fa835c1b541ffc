import CheckLanguage
import CheckResults
import Foundation
import Workbook

/// `netlab api [NAME]`: the API lesson programs use, from the doc comments of the package's sources.
struct APICommand: NetlabCommand, Equatable {
    static let name = "api"
    static let usage = "netlab api [NAME]"
    static let summary =
        "Shows the API your lesson programs use (NetCore, NetTLS, LessonKit, Syscall), from the doc comments in Sources/. With NAME, shows its declaration and whole doc comment."
    static let positionals = CommandSpec.Positionals.optionalName
    static let details =
        "NAME is a type (`ByteString`), a member (`TCPConn.setReadDeadline`, or just `setReadDeadline`),"
        + " a function (`copy`), or a module (`NetTLS`), in any case. The long form: docs/netcore.md,"
        + " docs/nettls.md, docs/lessonkit.md."

    /// The declaration to show; nil: list them all.
    var query: String?

    init(_ arguments: CommandArguments<NoOption>) { query = arguments.files.first }

    func run(_ cli: NetlabCLI) async throws -> Int32 { try cli.api(self, try cli.openWorkbook()) }
}

extension NetlabCLI {
    /// `netlab api [NAME]`: the public API of the modules a lesson program uses, read from the
    /// doc comments of the package's own sources (``APIIndex``).
    func api(_ c: APICommand, _ w: OpenedWorkbook) throws -> Int32 {
        let symbols = APIIndex.load(root: w.root)
        guard !symbols.isEmpty else {
            throw CLIError(
                message: "found no public API under \(relative(w.root.appendingPathComponent("Sources"), w))/"
                    + " (\(APIIndex.modules.joined(separator: ", "))): `netlab api` reads the package's sources", code: ExitCode.failure)
        }
        guard let query = c.query else {
            listAPI(symbols, modules: APIIndex.modules)
            return ExitCode.success
        }
        if let module = APIIndex.modules.first(where: { $0.lowercased() == query.lowercased() }) {
            listAPI(symbols.filter { $0.module == module }, modules: [module])
            return ExitCode.success
        }
        let found = Self.lookUp(query, in: symbols)
        guard !found.isEmpty else {
            let names = Array(Set(symbols.flatMap { s in [s.name, String(s.name.split(separator: ".").last ?? "")] })).sorted()
            let near = Suggestion.nearest(to: query, in: names)
            throw CLIError(
                message: "no public API named `\(UntrustedText.escaped(query))` in \(APIIndex.modules.joined(separator: ", "))."
                    + (near.map { " Did you mean `\($0)`?" } ?? "") + " `\(commandName) api` lists them all.", code: ExitCode.failure)
        }
        if found.count > 12 {
            console.out("\(found.count) declarations are named \(query); give the type too (`Type.\(query)`):")
            printLines(found)
            return ExitCode.success
        }
        let width = Int(environment["COLUMNS"] ?? "") ?? 80
        let renderer = MarkdownRenderer(style: style, width: min(max(width, 40), 100))
        for (k, symbol) in found.enumerated() {
            if k > 0 { console.out(style.dim(String(repeating: "─", count: 40))) }
            console.out(style.bold(symbol.displayName) + style.dim("  \(symbol.module) · \(symbol.file):\(symbol.line)"))
            console.out()
            for line in symbol.declaration.components(separatedBy: "\n") { console.out("    " + line) }
            console.out()
            if symbol.doc.isEmpty {
                console.out(style.dim("(no doc comment)"))
            } else {
                console.raw(renderer.render(Self.plainDocLinks(symbol.doc)))
            }
            if symbol.kind == .type {
                let members = symbols.filter { $0.name.hasPrefix(symbol.name + ".") && $0.module == symbol.module }
                if !members.isEmpty {
                    console.out()
                    console.out(style.bold("Members:"))
                    printLines(members)
                }
            }
        }
        return ExitCode.success
    }

    /// Symbols whose name is `query` (case-insensitive): the qualified name, with or without
    /// argument labels, or its last part (`setReadDeadline` finds every type's).
    static func lookUp(_ query: String, in symbols: [APISymbol]) -> [APISymbol] {
        let q = query.lowercased()
        let exact = symbols.filter { $0.name.lowercased() == q || $0.displayName.lowercased() == q }
        if !exact.isEmpty { return exact }
        return symbols.filter { symbol in
            let parts = symbol.name.lowercased().split(separator: ".")
            let labelled = symbol.displayName.lowercased()
            return parts.last.map(String.init) == q || labelled.hasSuffix("." + q) || labelled == q
                || (q.contains(".") && symbol.name.lowercased().hasSuffix("." + q))
        }
    }

    /// DocC's ``Symbol`` links as plain code spans. Code blocks (between ``` fences) and the
    /// fences themselves stay as written.
    static func plainDocLinks(_ doc: String) -> String {
        var inCode = false
        let lines = doc.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.drop(while: { $0 == " " }).hasPrefix("```") {
                inCode.toggle()
                return String(line)
            }
            return inCode ? String(line) : line.replacingOccurrences(of: "``", with: "`")
        }
        return lines.joined(separator: "\n")
    }

    func listAPI(_ symbols: [APISymbol], modules: [String]) {
        let docs = ["NetCore": "docs/netcore.md", "NetTLS": "docs/nettls.md", "LessonKit": "docs/lessonkit.md", "Syscall": "docs/syscall.md"]
        for (k, module) in modules.enumerated() {
            let mine = symbols.filter { $0.module == module }
            guard !mine.isEmpty else { continue }
            if k > 0 { console.out() }
            console.out(style.bold(module) + style.dim("  (\(mine.count) declarations; the long form: \(docs[module] ?? "docs/"))"))
            printLines(Self.grouped(mine))
        }
        console.out()
        console.out(
            style.dim("`\(commandName) api NAME` shows a declaration and its whole doc comment, e.g. `\(commandName) api TCPConn.setReadDeadline`."))
    }

    /// Each type followed by its members (extensions in other files included), types in
    /// alphabetical order, members in source order.
    static func grouped(_ symbols: [APISymbol]) -> [APISymbol] {
        let order = symbols.enumerated().sorted { a, b in
            let ta = a.element.name.split(separator: ".").first.map(String.init) ?? ""
            let tb = b.element.name.split(separator: ".").first.map(String.init) ?? ""
            if ta.lowercased() != tb.lowercased() { return ta.lowercased() < tb.lowercased() }
            let da = a.element.name.split(separator: ".").count, db = b.element.name.split(separator: ".").count
            if (da == 1) != (db == 1) { return da == 1 }
            return a.offset < b.offset
        }
        return order.map(\.element)
    }

    /// One line each: the name, then the first sentence of its doc comment (cut to the terminal's
    /// width on a terminal).
    func printLines(_ symbols: [APISymbol]) {
        let width = min(symbols.map(\.displayName.count).max() ?? 0, 44)
        let columns = Int(environment["COLUMNS"] ?? "") ?? 100
        for symbol in symbols {
            var summary = symbol.summary.isEmpty ? "(no doc comment)" : Self.plainDocLinks(symbol.summary)
            let room = columns - width - 4
            if console.stdoutIsTTY, room > 10, summary.count > room { summary = String(summary.prefix(room - 1)) + "…" }
            let name =
                symbol.displayName.count > width
                ? symbol.displayName + "\n" + String(repeating: " ", count: width + 4)
                : symbol.displayName.padding(toLength: width)
            console.out("  " + name + "  " + style.dim(summary))
        }
    }
}
