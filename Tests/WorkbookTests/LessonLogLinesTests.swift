@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// A lesson's README states every log line its checks look for: each `expect server log`
/// pattern of its checks.netlab matches a line of the README's "What your program logs" block,
/// with a client's address for `{NAME.addr}` and `example.test` for `{NAME.name}`. A lesson with
/// that section is held to it; lesson 5 must have it.
@Suite("Lesson log lines")
struct LessonLogLinesTests {
    static let required = ["lessons/05-sni-parse/checks.netlab"]

    /// The lines of the first fenced block after `## What your program logs`, or nil.
    static func statedLines(inReadme text: String) -> [String]? {
        guard let heading = text.range(of: "\n## What your program logs\n") else { return nil }
        let after = text[heading.upperBound...]
        guard let open = after.range(of: "```"), let lineEnd = after[open.upperBound...].firstIndex(of: "\n"),
            let close = after[lineEnd...].range(of: "\n```")
        else { return nil }
        return after[after.index(after: lineEnd)..<close.lowerBound].split(separator: "\n").map(String.init)
    }

    /// Every `expect server log /…/` of `steps`, blocks included.
    static func logPatterns(_ steps: [Step]) -> [Pattern] {
        steps.flatMap { step -> [Pattern] in
            switch step {
            case .expectServer(let e): if case .log(let p, _) = e.condition { return [p] } else { return [] }
            case .repeat(let loop), .parallel(let loop): return logPatterns(loop.body)
            default: return []
            }
        }
    }

    @Test("every log line a check matches is stated in the lesson's README")
    func readmeStatesEveryLogLine() throws {
        for path in lessonScripts {
            let folder = packageRoot.appendingPathComponent(path).deletingLastPathComponent()
            let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
            guard let lines = Self.statedLines(inReadme: readme) else {
                #expect(!Self.required.contains(path), "\(folder.lastPathComponent)/README.md has no \"## What your program logs\" block")
                continue
            }
            let script = try CheckScript.parse(source: String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8), file: path)
            for check in script.checks {
                for pattern in Self.logPatterns(check.steps) {
                    let source = pattern.rendered { ref in
                        ref.field == "name" ? "example.test" : ref.field == "port" ? "53211" : "127.0.0.1:53211"
                    }
                    let regex = try Regex(source)
                    #expect(
                        lines.contains { $0.firstMatch(of: regex) != nil },
                        "\(path) \"\(check.name)\": \(pattern) matches no line the README states: \(lines)")
                }
            }
        }
    }

    @Test("the block is found, and a pattern it does not state is caught")
    func finder() throws {
        let readme = "# L\n\n## What your program logs\n\nText.\n\n```text\nsni example.test\nerror: 127.0.0.1:1: x\n```\n\n## Next\n"
        let lines = try #require(Self.statedLines(inReadme: readme))
        #expect(lines == ["sni example.test", "error: 127.0.0.1:1: x"])
        #expect(!lines.contains { $0.firstMatch(of: try! Regex("^closed ")) != nil })
        #expect(Self.statedLines(inReadme: "# L\n## Other\n```text\nsni a\n```\n") == nil)
    }
}
