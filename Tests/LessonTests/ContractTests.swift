@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// The process contract that `--cmd` programs are held to (ContractChecks): every solution
/// keeps it, through LessonKit; a program in another language that takes any flag silently, or
/// explains itself in several lines, is told.
@Suite("Lesson contract", .serialized, .timeLimit(.minutes(5)))
struct ContractTests {
    func contract(_ lesson: LessonUnderTest) throws -> CheckScript {
        let source = try String(contentsOf: lesson.directory.appendingPathComponent("checks.netlab"), encoding: .utf8)
        let text = try #require(
            ContractChecks.script(for: try CheckScript.parse(source: source, file: "checks.netlab")), "lesson \(lesson.slug) has no start line")
        return try CheckScript.parse(source: text, file: "contract")
    }

    func run(_ script: CheckScript, _ lesson: LessonUnderTest, _ program: ProgramLaunch) async -> [CheckResult] {
        await CheckRunner(
            script: script, lessonDirectory: lesson.directory, program: program,
            options: RunOptions(stopGrace: .seconds(1))
        ).run(onResult: { _ in })
    }

    @Test(arguments: LessonUnderTest.all)
    func solutionKeepsTheContract(_ lesson: LessonUnderTest) async throws {
        let results = await run(try contract(lesson), lesson, ProgramLaunch(executable: try builtProgram("solution\(lesson.number)")))
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0.status == .pass }, "\(explain(results))")
    }

    /// A lesson 1 echo in Python whose flags follow the contract, or (`lax`) take whatever comes,
    /// as `parse_known_args` does.
    func pythonEcho(lax: Bool) throws -> ProgramLaunch {
        let program = """
            import socket, sys, threading
            args = sys.argv[1:]
            if args == ["--help"]:
                print("usage: echo --listen HOST:PORT"); sys.exit(0)
            listen = None
            i = 0
            while i < len(args):
                if args[i] == "--listen" and i + 1 < len(args):
                    if listen is not None and not \(lax ? "True" : "False"):
                        sys.stderr.write("echo: flag --listen given more than once\\n"); sys.exit(2)
                    listen = args[i + 1]; i += 2
                elif \(lax ? "True" : "False"):
                    i += 1
                else:
                    sys.stderr.write("echo: unknown flag " + args[i] + "\\n"); sys.exit(2)
            host, port = listen.rsplit(":", 1)
            server = socket.create_server((host, int(port)))
            print("netlab: listening on %s:%d" % server.getsockname()[:2], flush=True)
            def serve(conn):
                with conn:
                    while data := conn.recv(65536):
                        conn.sendall(data)
            while True:
                conn, _ = server.accept()
                threading.Thread(target=serve, args=(conn,), daemon=True).start()
            """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-contract-\(lax ? "lax" : "strict")-\(getpid()).py")
        try program.write(to: url, atomically: true, encoding: .utf8)
        return ProgramLaunch(executable: "/usr/bin/env", arguments: ["python3", url.path])
    }

    @Test("a Python program that keeps the contract passes it; one that takes any flag fails two checks")
    func python() async throws {
        let lesson = try #require(LessonUnderTest.all.first)
        let script = try contract(lesson)
        let strict = await run(script, lesson, try pythonEcho(lax: false))
        #expect(strict.allSatisfy { $0.status == .pass }, "\(explain(strict))")
        let lax = await run(script, lesson, try pythonEcho(lax: true))
        #expect(lax.map(\.status) == [.fail, .fail, .pass], "\(explain(lax))")
        #expect(lax.first?.message?.contains("expected the server to exit") == true, "\(lax.first?.message ?? "")")
    }
}
