import Foundation
import Testing

/// Lesson 6 builds on the ClientHello reader that the learner wrote in lesson 5, as the asyncnet
/// talk reuses its `readClientHello`: the lesson 6 starter, its solution and its mistakes paste
/// lesson 5's solution unchanged. These tests hold them to that, declaration by declaration, so
/// that the two lessons cannot drift apart again.
@Suite("Lesson 5's ClientHello reader, reused by lesson 6")
struct HelloReaderReuseTests {
    /// The reader's declarations, by the text that starts each one at the top level.
    static let declarations = [
        "struct HelloError:", "func readClientHello(", "func readHandshakeRecord(",
        "func serverName(inClientHello", "func hostName(inServerNameExtension",
    ]

    /// The files that paste the reader: lesson 6's starter, its solution, and the code that its
    /// mistakes share.
    static let copies = [
        "lessons/06-prefix-conn/main.swift", "solutions/06-prefix-conn/main.swift",
        "Tests/Mistakes/06-prefix-conn/main.swift",
    ]

    static let original = "solutions/05-sni-parse/main.swift"

    @Test("every lesson 6 program holds lesson 5's reader byte for byte", arguments: copies)
    func readerIsLessonFives(_ path: String) throws {
        let original = try source(Self.original)
        let copy = try source(path)
        for start in Self.declarations {
            let expected = try #require(try declaration(start, in: original, file: Self.original))
            guard let found = try declaration(start, in: copy, file: path) else {
                Issue.record("\(path) has no `\(start)…`: paste lesson 5's reader from \(Self.original)")
                continue
            }
            #expect(found == expected, "\(path): `\(start)…` differs from \(Self.original)'s:\n\(firstDifference(expected, found))")
        }
    }

    @Test("no lesson 6 mistake brings a reader of its own")
    func mistakesShareTheReader() throws {
        let directory = packageRoot.appendingPathComponent("Tests/Mistakes/06-prefix-conn")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") && $0 != "main.swift" }
        #expect(!files.isEmpty)
        let names = ["HelloError", "readClientHello", "readHandshakeRecord", "serverName", "hostName"]
        for file in files {
            let text = try source("Tests/Mistakes/06-prefix-conn/\(file)")
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let words = line.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" })
                for (i, word) in words.enumerated().dropLast() where ["func", "struct", "enum", "class"].contains(word) {
                    #expect(!names.contains(String(words[i + 1])), "\(file) declares its own \(words[i + 1]): \(line)")
                }
            }
        }
    }

    @Test("the extraction finds a declaration with its doc comment and ends at its closing brace")
    func extractionIsExact() throws {
        let text = """
            /// Not this.
            let x = 1

            /// Doc one.
            /// Doc two.
            func readHandshakeRecord(from conn: some Conn) -> Int {
                if true { return 1 }
            }
            func after() {}
            """
        let found = try declaration("func readHandshakeRecord(", in: text, file: "t.swift")
        #expect(found == "/// Doc one.\n/// Doc two.\nfunc readHandshakeRecord(from conn: some Conn) -> Int {\n    if true { return 1 }\n}")
        #expect(try declaration("func serverName(inClientHello", in: text, file: "t.swift") == nil)
        #expect(throws: ReuseError.self) { try declaration("func", in: text + "\nfunc again() {\n}", file: "t.swift") }
    }

    /// The text of `path`, relative to the package root.
    func source(_ path: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The top-level declaration whose first line starts with `start`: its `///` doc comment, its
    /// first line, and every line up to the first `}` in column 0. Nil when there is none; two
    /// throw, since a copy could then hide behind the first.
    func declaration(_ start: String, in text: String, file: String) throws -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let starts = lines.indices.filter { lines[$0].hasPrefix(start) }
        guard starts.count <= 1 else { throw ReuseError(message: "\(file) has \(starts.count) declarations starting `\(start)`") }
        guard let first = starts.first else { return nil }
        var top = first
        while top > 0, lines[top - 1].hasPrefix("///") { top -= 1 }
        guard let end = lines[first...].firstIndex(of: "}") else {
            throw ReuseError(message: "\(file): `\(start)` has no closing brace in column 0")
        }
        return lines[top...end].joined(separator: "\n")
    }

    /// The first line where `a` and `b` differ, both ways, for a failure message.
    func firstDifference(_ a: String, _ b: String) -> String {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false)
        let y = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(x.count, y.count) where i >= x.count || i >= y.count || x[i] != y[i] {
            return "line \(i + 1) of the declaration:\n  lesson 5: \(i < x.count ? x[i] : "(ends)")\n  here:     \(i < y.count ? y[i] : "(ends)")"
        }
        return "(no difference)"
    }
}

struct ReuseError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
