@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
import Glibc
import NetCore
import NetTLS
import ProcessSupervision
@testable import NetlabCommandLine
import Testing
@testable import Workbook
#if canImport(Glibc)
#endif

/// A workbook holding copies of the real lessons `slugs` (their checks.netlab headers are what
/// `netlab run` reads), in a temporary folder.
private func lessonWorkbook(_ slugs: [String]) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-run-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root.appendingPathComponent("lessons"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Package.swift"), to: root.appendingPathComponent("Package.swift"))
    for slug in slugs {
        try FileManager.default.copyItem(
            at: packageRoot.appendingPathComponent("lessons/\(slug)"),
            to: root.appendingPathComponent("lessons/\(slug)"))
    }
    return root
}

/// `netlab run` as a learner starts it, with a reference solution as the program (`--cmd`, so
/// nothing is built). Waits for the commands it prints; the output so far and the port.
private struct RunningLesson {
    let process: Process
    let root: URL
    var output: String { (try? String(contentsOf: root.appendingPathComponent(".netlab-test-output"), encoding: .utf8)) ?? "" }

    init(_ n: Int, slug: String, flags: [String] = []) throws {
        root = try lessonWorkbook([slug])
        let solution = try builtProduct(String(format: "solution%02d", n))
        process = try startNetlab(["run", "\(n)", "--cmd", solution] + (flags.isEmpty ? [] : ["--"] + flags), in: root)
    }

    /// The port of the first printed `nc 127.0.0.1 PORT`, once every command is printed.
    func waitForCommands() async -> String? {
        let deadline = ContinuousClock.now + .seconds(90)  // CI, all suites starting at once, once took over 20 s
        while ContinuousClock.now < deadline, process.isRunning {
            let text = output
            if let range = text.range(of: #"\n  nc 127\.0\.0\.1 (\d+)"#, options: .regularExpression) {
                return String(text[range].split(separator: " ").last ?? "")
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Ctrl-C; whether netlab ended (with status 0) within 10 s.
    func interrupt() async -> Bool {
        kill(process.processIdentifier, SIGINT)
        let ended = await waitForExit(process, within: .seconds(10))
        if !ended { process.terminate() }
        return ended && process.terminationStatus == 0
    }

    func cleanup() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: root)
    }
}

/// Sends `line` on `conn` and reads until it has come back (5 s at most).
private func echoes(_ conn: any Conn, _ line: String) async throws -> Bool {
    try conn.setDeadline(.after(.seconds(5)))
    try await conn.write(Array(line.utf8))
    var got: [UInt8] = []
    while got.count < line.utf8.count {
        let more = try await conn.read(upToCount: 4096)
        if more.isEmpty { break }
        got += more
    }
    return got == Array(line.utf8)
}

@Suite("netlab run starts what the lesson needs", .serialized)
struct RunCommandTests {
    @Test("run 4 without flags: a netlab-owned echo upstream, and nc with the real port")
    func lesson4() async throws {
        let run = try RunningLesson(4, slug: "04-proxy")
        defer { run.cleanup() }
        let port = try #require(await run.waitForCommands(), "no commands printed:\n\(run.output)")
        let output = run.output
        #expect(output.contains("upstream echo as up on 127.0.0.1:"), "\(output)")
        #expect(!output.contains("missing flag"))
        #expect(!output.contains("{"), "a placeholder was printed:\n\(output)")
        let conn = try await TCPConn.dial("127.0.0.1:\(port)", timeout: .seconds(5))
        #expect(try await echoes(conn, "through the proxy\n"))
        try? conn.close()
        #expect(await run.interrupt(), "\(run.output)")
        #expect(run.output.contains("netlab: stopped."))
    }

    @Test("run 4 -- --upstream ADDR: the learner's upstream replaces netlab's")
    func lesson4LearnersUpstream() async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        defer { try? listener.close() }
        let run = try RunningLesson(4, slug: "04-proxy", flags: ["--upstream", listener.address.description])
        defer { run.cleanup() }
        let port = try #require(await run.waitForCommands(), "no commands printed:\n\(run.output)")
        #expect(!run.output.contains("upstream echo as up"), "\(run.output)")
        #expect(run.output.contains("--upstream \(listener.address.description)"))
        let conn = try await TCPConn.dial("127.0.0.1:\(port)", timeout: .seconds(5))
        defer { try? conn.close() }
        try conn.setDeadline(.after(.seconds(5)))
        try await conn.write(Array("to mine\n".utf8))
        let upstream = try await listener.accept()
        defer { try? upstream.close() }
        try upstream.setDeadline(.after(.seconds(5)))
        #expect(try await upstream.readExactly(8) == Array("to mine\n".utf8))
        #expect(await run.interrupt())
    }

    @Test("run 6 without flags: two TLS echo upstreams behind routes, openssl lines with the real CA")
    func lesson6() async throws {
        let run = try RunningLesson(6, slug: "06-prefix-conn")
        defer { run.cleanup() }
        let port = try #require(await run.waitForCommands(), "no commands printed:\n\(run.output)")
        let output = run.output
        #expect(output.contains("upstream tls-echo as alpha on 127.0.0.1:") && output.contains("upstream tls-echo as beta on 127.0.0.1:"))
        #expect(output.contains("openssl s_client -connect 127.0.0.1:\(port) -servername a.test -CAfile .netlab/certs/ca.pem"), "\(output)")
        #expect(output.contains("-servername b.test"))
        #expect(!output.contains("{"), "a placeholder was printed:\n\(output)")
        for name in ["a.test", "b.test"] {
            let tcp = try await TCPConn.dial("127.0.0.1:\(port)", timeout: .seconds(5))
            let config = try TLSClientConfig(serverName: name, rootCAFile: run.root.appendingPathComponent(".netlab/certs/ca.pem").path)
            let tls = TLSConn.client(wrapping: tcp, config: config)
            #expect(try await echoes(tls, "routed to \(name)\n"), "\(run.output)")
            try? tls.close()
        }
        #expect(await run.interrupt(), "\(run.output)")
    }

    @Test("run 7 without flags: the dev certificate and an echo upstream; s_client and curl lines")
    func lesson7() async throws {
        let run = try RunningLesson(7, slug: "07-tls")
        defer { run.cleanup() }
        let port = try #require(await run.waitForCommands(), "no commands printed:\n\(run.output)")
        let output = run.output
        #expect(output.contains("upstream echo as up on 127.0.0.1:"))
        #expect(
            output.contains("--cert \(run.root.path)/.netlab/certs/localhost.pem --key \(run.root.path)/.netlab/certs/localhost-key.pem")
                || output.contains("--cert \(run.root.resolvingSymlinksInPath().path)/.netlab/certs/localhost.pem"), "\(output)")
        #expect(output.contains("openssl s_client -connect 127.0.0.1:\(port) -servername localhost -CAfile .netlab/certs/ca.pem"))
        #expect(output.contains("--cacert .netlab/certs/ca.pem https://localhost:\(port)/"))
        #expect(!output.contains("{"), "a placeholder was printed:\n\(output)")
        let tcp = try await TCPConn.dial("127.0.0.1:\(port)", timeout: .seconds(5))
        let config = try TLSClientConfig(serverName: "localhost", rootCAFile: run.root.appendingPathComponent(".netlab/certs/ca.pem").path)
        let tls = TLSConn.client(wrapping: tcp, config: config)
        #expect(try await echoes(tls, "through TLS and back\n"), "\(run.output)")
        try? tls.close()
        #expect(await run.interrupt(), "\(run.output)")
    }

    @Test("run 8: a framed printf | nc -N line instead of 'type lines', and it works as printed")
    func lesson8() async throws {
        let run = try RunningLesson(8, slug: "08-framing")
        defer { run.cleanup() }
        let deadline = ContinuousClock.now + .seconds(90)
        var line: String?
        while line == nil, ContinuousClock.now < deadline, run.process.isRunning {
            line = run.output.split(separator: "\n").first { $0.contains("| nc -N 127.0.0.1 ") }.map(String.init)
            if line == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let printed = try #require(line, "no printf line:\n\(run.output)")
        #expect(!run.output.contains("type lines"), "\(run.output)")
        // Run it as printed, without the `| xxd` and the comment: the reply to a get of a key
        // never stored is NOT_OK for "color".
        let command = try #require(printed.components(separatedBy: " | xxd").first)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "timeout 5 bash -c \(shellQuoted(command))"]  // dash's printf has no \\x
        let out = Pipe()
        shell.standardOutput = out
        try shell.run()
        #expect(await waitForExit(shell, within: .seconds(10)))
        let reply = out.fileHandleForReading.readDataToEndOfFile()
        // length 15; key "color", kind 2 (get), status 1 (NOT_OK); the footer.
        let expected: [UInt8] = [0x0f, 0, 0, 0, 0x0a, 5] + Array("color".utf8) + [0x18, 2, 0x20, 1, 0x0d, 0x0a, 0x0d, 0x0a]
        #expect(Array(reply) == expected, "\(Array(reply)) from \(command)")
        #expect(await run.interrupt(), "\(run.output)")
    }
}

@Suite("netlab run: the plan from checks.netlab")
struct RunPlanTests {
    func plan(_ source: String, _ flags: [String]) throws -> RunPlan {
        RunPlan(script: try CheckScript.parse(source: source + "\ncheck \"x\"\n  connect a\n", file: "checks.netlab"), learnerFlags: flags)
    }

    @Test("a lesson whose checks upgrade to WebSocket gets a python3 -m websockets line, not nc")
    func webSocketLine() throws {
        let script = try CheckScript.parse(
            source: "start --listen {listen}\ncheck \"x\"\n  repeat 2\n    connect a websocket \"/chat\"\n  end\n", file: "checks.netlab")
        let plan = RunPlan(script: script, learnerFlags: [])
        #expect(plan.webSocketPath == "/chat")
        #expect(try self.plan("start --listen {listen}", []).webSocketPath == nil)
    }

    @Test func theLearnersFlagsReplaceTheStartLinesAndTheirUpstreams() throws {
        let header = """
            upstream tls-echo as alpha
            upstream tls-echo as beta
            start --listen {listen} --route a.test={alpha.addr} --route b.test={beta.addr}
            """
        let all = try plan(header, [])
        #expect(all.arguments.map(\.description) == ["--listen", "{listen}", "--route", "a.test={alpha.addr}", "--route", "b.test={beta.addr}"])
        #expect(all.upstreams.map(\.name) == ["alpha", "beta"])
        #expect(all.routes.map(\.name) == ["a.test", "b.test"])
        #expect(all.needsCertificate)
        let mine = try plan(header, ["--route=a.test=127.0.0.1:9443"])
        #expect(mine.arguments.map(\.description) == ["--listen", "{listen}"])
        #expect(mine.upstreams.isEmpty)
        #expect(mine.replaced == ["--route"])
        #expect(!mine.needsCertificate)
    }

    @Test func valuesStayWithTheirFlag() throws {
        let p = try plan("start --listen {listen} --idle-timeout 300ms", ["--idle-timeout", "2s"])
        #expect(p.arguments.map(\.description) == ["--listen", "{listen}"])
        #expect(p.learnerFlags == ["--idle-timeout", "2s"])
        #expect(RunPlan.flagName("--listen=127.0.0.1:0") == "--listen")
        #expect(RunPlan.flagName("300ms") == nil)
    }

    @Test func withoutAStartLineTheProgramListensOnly() throws {
        let p = RunPlan(script: CheckScript(file: "checks.netlab"), learnerFlags: [])
        #expect(p.arguments.map(\.description) == ["--listen", "{listen}"])
        #expect(NetlabCLI.withListen(["--x"]) == ["--listen", "127.0.0.1:0", "--x"])
        #expect(NetlabCLI.withListen(["--listen=1.2.3.4:5"]) == ["--listen=1.2.3.4:5"])
    }
}
