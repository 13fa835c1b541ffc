@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// What reaches netlab from a lesson folder and the command line: the bytes of checks.netlab,
/// fixtures, and the results files it writes (issue 10).
@Suite("Script input", .serialized, .timeLimit(.minutes(1)))
struct ScriptInputTests {
    // MARK: Script text

    @Test("a NUL, a control byte or invalid UTF-8 is an error at the line and column of its first byte")
    func scriptBytes() {
        func error(_ bytes: [UInt8]) -> String? {
            do {
                _ = try ScriptSource.decode(bytes, file: "checks.netlab")
                return nil
            } catch {
                return error.description
            }
        }
        let header = Array("start --listen {listen}\r\ncheck \"é\"\n".utf8)
        #expect(
            error(header + Array("  sleep 1m".utf8) + [0] + Array("s\n".utf8))
                == "checks.netlab:3:11: error: NUL byte at offset 46; a check script is text (write `\\0` in a string for a zero byte)")
        #expect(
            error(header + Array("  send a \"".utf8) + [0xC3, 0x28] + Array("\"\n".utf8))
                == "checks.netlab:3:11: error: byte 0xC3 at offset 46 is not UTF-8; a check script must be UTF-8 text")
        #expect(
            error(Array("\r\r\n\u{1B}".utf8))
                == "checks.netlab:3:1: error: control byte 0x1B at offset 3; a check script is text (write `\\x1B` in a string for this byte)")
        #expect(error([0xED, 0xA0, 0x80]) == "checks.netlab:1:1: error: byte 0xED at offset 0 is not UTF-8; a check script must be UTF-8 text")
        #expect(error([0xF4, 0x90, 0x80, 0x80]) != nil)
        #expect(error([0xC0, 0x80]) != nil)
        #expect(error(header + Array("  # ünïcode \t and a form feed \u{0C} are fine\n".utf8)) == nil)
        #expect(error([0xF0, 0x9F, 0x98, 0x80]) == nil)
    }

    @Test("netlab check names the place of a NUL in checks.netlab, and refuses a file with no checks")
    func scriptBytesAndNoChecksThroughTheCLI() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try Data(Array("lesson \"Echo\"\nstart --listen {listen}\ncheck \"x\"\n  sleep 1\0ms\n".utf8))
            .write(to: wb.url("lessons/01-echo/checks.netlab"))
        let nul = await runCLI(["check", "1", "--cmd", "/bin/true"], in: wb.root)
        #expect(nul.status == 1)
        #expect(nul.out.contains("lessons/01-echo/checks.netlab:4:10: error: NUL byte"), "\(nul.out)")

        try wb.write("lessons/01-echo/checks.netlab", "# nothing here yet\nlesson \"Echo\"\nstart --listen {listen}\n")
        let empty = await runCLI(["check", "1", "--cmd", "/bin/true"], in: wb.root)
        #expect(empty.status == 1)
        #expect(empty.out.contains("lessons/01-echo/checks.netlab has no checks"), "\(empty.out)")
        #expect(!empty.out.contains("0/0 checks passed"))
    }

    // MARK: Fixtures

    /// A lesson folder with a fixture, a link inside it, a link out of it, a folder and a FIFO.
    func lessonFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-fixture-tests-\(UUID().uuidString)")
        let fixtures = dir.appendingPathComponent("fixtures")
        try FileManager.default.createDirectory(at: fixtures.appendingPathComponent("folder"), withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: fixtures.appendingPathComponent("hello.txt"))
        try FileManager.default.createSymbolicLink(atPath: fixtures.appendingPathComponent("inside").path, withDestinationPath: "hello.txt")
        try FileManager.default.createSymbolicLink(atPath: fixtures.appendingPathComponent("link").path, withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: fixtures.appendingPathComponent("up").path, withDestinationPath: "/etc")
        #expect(mkfifo(fixtures.appendingPathComponent("fifo").path, 0o600) == 0)
        let big = open(fixtures.appendingPathComponent("big.bin").path, O_WRONLY | O_CREAT, 0o600)
        #expect(big >= 0 && ftruncate(big, off_t(ScriptLimits.fileSize + 1)) == 0)
        close(big)
        return dir
    }

    @Test("a fixture must be a regular file inside the lesson folder, of at most 256 MiB")
    func fixtureFiles() throws {
        let dir = try lessonFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        func refusal(_ path: String) -> String? {
            do {
                _ = try FixtureFile.read(path, in: dir)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(try FixtureFile.read("fixtures/hello.txt", in: dir) == Array("hello\n".utf8))
        #expect(try FixtureFile.read("fixtures/inside", in: dir) == Array("hello\n".utf8))
        #expect(
            refusal("fixtures/link")
                == "fixtures/link leads out of the lesson folder (to /etc/passwd); a fixture must be a file inside the lesson folder")
        #expect(refusal("fixtures/up/passwd")?.contains("leads out of the lesson folder") == true)
        #expect(refusal("fixtures/folder") == "fixtures/folder is not a regular file; a fixture must be a regular file inside the lesson folder")
        #expect(refusal("fixtures/fifo") == "fixtures/fifo is not a regular file; a fixture must be a regular file inside the lesson folder")
        #expect(refusal("fixtures/big.bin") == "fixtures/big.bin is 268435457 bytes; a fixture may have at most 256 MiB")
        #expect(refusal("fixtures/missing")?.hasPrefix("cannot read fixtures/missing in the lesson folder") == true)
    }

    @Test("a check that sends a fixture linked out of the lesson folder is an error, and sends nothing")
    func linkedFixtureIsNotSent() async throws {
        let dir = try lessonFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = try parseOK(
            """
            start --listen {listen} --mode echo
            check "sends a link"
              connect a
              send a file "fixtures/link"
              expect a "root" within 1s
            """)
        let runner = CheckRunner(
            script: script, lessonDirectory: dir, program: try ProgramLaunch(executable: testServerPath()),
            options: RunOptions(stopGrace: .milliseconds(500)))
        let result = try #require(await runner.run().first)
        #expect(result.status == .error)
        #expect(result.message?.contains("fixtures/link leads out of the lesson folder") == true, "\(result.message ?? "")")
        #expect(!result.transcript.contains("root:"))
    }

    // MARK: Output paths

    @Test("--json or --junit in a missing folder is refused before anything is built or run, with exit status 2")
    func outputPathsFirst() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let programs = ProgramLog()
        let junit = await runCLI(
            ["check", "1", "--cmd", "/bin/true", "--junit", "missing/results.xml"], in: wb.root,
            grader: fakeGrader(programs: programs))
        #expect(junit.status == 2)
        #expect(
            junit.err.contains("netlab: cannot write --junit missing/results.xml: the folder \(wb.url("missing").path) does not exist"),
            "\(junit.err)")
        #expect(programs.all.isEmpty)
        #expect(!junit.out.contains("checks passed"))

        try wb.write("taken/file", "x")
        let json = await runCLI(["check", "--json", "taken"], in: wb.root, grader: fakeGrader(programs: programs))
        #expect(json.status == 2)
        #expect(json.err.contains("netlab: cannot write --json taken: it is a folder"), "\(json.err)")
        let notFolder = await runCLI(["check", "1", "--json", "taken/file/r.json"], in: wb.root, grader: fakeGrader(programs: programs))
        #expect(notFolder.status == 2 && notFolder.err.contains("is not a folder"))
        #expect(programs.all.isEmpty)

        let fine = await runCLI(
            ["check", "1", "--cmd", "/bin/true", "--junit", "taken/results.xml"], in: wb.root,
            grader: fakeGrader(programs: programs))
        #expect(fine.status == 0)
        #expect(FileManager.default.fileExists(atPath: wb.url("taken/results.xml").path))
    }
}
