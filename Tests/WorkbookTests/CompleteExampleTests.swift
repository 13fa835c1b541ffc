@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// The package root, found from this file's path: Tests/WorkbookTests/ is two levels down.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The complete example of docs/checks.md (the first ```netlab block after "Complete example").
let completeExample: String = {
    let docs = (try? String(contentsOf: packageRoot.appendingPathComponent("docs/checks.md"), encoding: .utf8)) ?? ""
    return netlabBlocks(in: docs).last ?? ""
}()

/// The contents of every ```netlab fenced block of a Markdown text.
func netlabBlocks(in markdown: String) -> [String] {
    var blocks: [String] = []
    var current: [Substring]? = nil
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
        if current == nil, line.hasPrefix("```netlab") {
            current = []
        } else if current != nil, line.hasPrefix("```") {
            blocks.append(current!.joined(separator: "\n") + "\n")
            current = nil
        } else {
            current?.append(line)
        }
    }
    return blocks
}

@Suite("Documentation")
struct DocumentationTests {
    @Test("every netlab block of docs/checks.md parses")
    func docsBlocks() throws {
        let docs = try String(contentsOf: packageRoot.appendingPathComponent("docs/checks.md"), encoding: .utf8)
        let blocks = netlabBlocks(in: docs)
        #expect(blocks.count >= 2, "docs/checks.md should hold the sketch and a complete example")
        for block in blocks {
            let errors = CheckScript.diagnose(source: block, file: "docs/checks.md")
            #expect(errors.isEmpty, "\(errors.map(\.description).joined(separator: "\n"))\n--- in:\n\(block)")
        }
    }

    @Test("the complete example uses every kind of step")
    func completeExampleCoverage() throws {
        let script = try parseOK(completeExample)
        var kinds = Set<String>()
        func visit(_ steps: [Step]) {
            for step in steps {
                switch step {
                case .connect(let c): kinds.insert(c.tls == nil ? "connect" : "tls-connect")
                case .send: kinds.insert("send")
                case .shutdownWrite: kinds.insert("shutdown")
                case .reset: kinds.insert("reset")
                case .close: kinds.insert("close")
                case .expectClient: kinds.insert("expect client")
                case .expectUpstream: kinds.insert("expect upstream")
                case .expectServer: kinds.insert("expect server")
                case .capture: kinds.insert("capture")
                case .stop: kinds.insert("stop")
                case .sleep: kinds.insert("sleep")
                case .repeat(let l): kinds.insert("repeat"); visit(l.body)
                case .parallel(let l): kinds.insert("parallel"); visit(l.body)
                case .scrape: kinds.insert("scrape")
                case .expectScrape: kinds.insert("expect scrape")
                }
            }
        }
        for check in script.checks { visit(check.steps) }
        #expect(
            kinds == [
                "connect", "tls-connect", "send", "shutdown", "reset", "close", "expect client",
                "expect upstream", "expect server", "capture", "stop", "sleep", "repeat", "parallel",
                "scrape", "expect scrape",
            ])
    }
}
