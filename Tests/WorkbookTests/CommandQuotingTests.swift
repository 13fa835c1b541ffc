@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
@testable import ProcessSupervision
import Testing
@testable import Workbook

/// A `--cmd` whose quoting is broken is refused at once, before anything is built or run.
@Suite("--cmd quoting")
struct CommandQuotingTests {
    @Test("a shown command line quotes what a shell would change, and only that")
    func shellQuoting() async throws {
        #expect(shellQuoted("{cert}") == "{cert}")
        #expect(shellQuoted("127.0.0.1:8080") == "127.0.0.1:8080")
        #expect(shellQuoted("{a,b}") == "'{a,b}'")  // bash would expand it to two words
        #expect(shellQuoted("it's") == #"'it'\''s'"#)
        #expect(shellQuoted("") == "''")
        #expect(shellQuoted("a b") == "'a b'")
        #expect(shellQuoted("$HOME") == "'$HOME'")
        #expect(shellQuoted("é") == "'é'")
        // What the shell reads back is the argument itself.
        let words = ["{a,b}", "it's", "", "a b", "$HOME", "*", "x\ny", "é", "~"]
        let line = "printf '%s\\n' " + words.map(shellQuoted).joined(separator: " ")
        let out = try await ProcessRunner.run("/bin/bash", ["-c", line], timeout: .seconds(10))
        #expect(String(decoding: out.stdout, as: UTF8.self) == words.map { $0 + "\n" }.joined())
    }

    @Test("an unterminated quote or a trailing backslash is a usage error naming it")
    func splitErrors() throws {
        #expect(throws: UsageError.self) { try NetlabCLI.splitCommand("\"unterminated") }
        #expect(throws: UsageError.self) { try NetlabCLI.splitCommand("./proxy --name 'a b") }
        #expect(throws: UsageError.self) { try NetlabCLI.splitCommand("./proxy \\") }
        do {
            _ = try NetlabCLI.splitCommand("./proxy 'a b")
            Issue.record("no error")
        } catch {
            #expect(error.message == "`--cmd` has an unterminated quote: the single quote (') at character 9 of \"./proxy 'a b\" is never closed")
        }
        // Quotes of the other kind inside a quote are text, not openings.
        #expect(try NetlabCLI.splitCommand("x \"it's\" 'say \"hi\"'") == ["x", "it's", "say \"hi\""])
    }

    @Test("netlab check and run refuse a broken --cmd with status 2 and run nothing", arguments: ["check", "run"])
    func refusedAtOnce(command: String) async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let log = ProgramLog()
        let r = await runCLI([command, "1", "--cmd", "\"unterminated"], in: wb.root, grader: fakeGrader(programs: log))
        #expect(r.status == 2)
        #expect(
            r.err.hasPrefix(
                "netlab: `--cmd` has an unterminated quote: the double quote (\") at character 1 of \"\\\"unterminated\" is never closed\n"),
            "\(r.err)")
        #expect(r.err.contains("usage: netlab \(command)"))
        #expect(log.all.isEmpty)
        #expect(r.out.isEmpty, "nothing was started: \(r.out)")
    }
}
