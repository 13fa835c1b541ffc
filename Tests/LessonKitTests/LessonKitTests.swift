import Foundation
import NetCore
import ProcessSupervision
import Testing
@testable import LessonKit

@Suite("LessonKit flags")
struct LessonKitFlagTests {
    let flags: [Flag] = [
        .upstream, .idleTimeout, .route, .cert, .key, Flag("greeting", .text, help: "a greeting"),
        Flag("max-conns", .integer, help: "n"), Flag("verbose", .toggle, help: "more"),
    ]

    func options(_ args: [String]) throws -> Options {
        guard case .run(let o) = try parseFlags(args, flags: flags) else { throw FlagError("help") }
        return o
    }

    func error(_ args: [String]) -> String? {
        do {
            _ = try parseFlags(args, flags: flags)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("good flags, in both spellings; defaults")
    func good() throws {
        let o = try options([
            "--listen", "127.0.0.1:9000", "--upstream=127.0.0.1:9001", "--idle-timeout", "300ms",
            "--route", "api=127.0.0.1:1", "--route=web=[::1]:2", "--cert", "c.pem", "--key", "k.pem",
            "--greeting", "hello world", "--max-conns", "5", "--verbose",
        ])
        #expect(o.listen == "127.0.0.1:9000")
        #expect(o.upstream == "127.0.0.1:9001")
        #expect(o.idleTimeout == .milliseconds(300))
        #expect(o.routes.map(\.name) == ["api", "web"])
        #expect(o.routes.map(\.address) == ["127.0.0.1:1", "[::1]:2"])
        #expect(o.cert == "c.pem" && o.key == "k.pem")
        #expect(o.string("greeting") == "hello world")
        #expect(o.integer("max-conns") == 5)
        #expect(o.isSet("verbose"))
        let d = try options(["--upstream", "localhost:80"])
        #expect(d.listen == "127.0.0.1:0")
        #expect(d.idleTimeout == nil)
        #expect(!d.isSet("verbose"))
    }

    @Test("unknown, malformed, missing and repeated flags are refused with one line naming the flag")
    func bad() {
        #expect(error(["--upstream", "a:1", "--bogus", "1"])?.hasPrefix("unknown flag --bogus; this program takes --listen, --upstream") == true)
        #expect(
            error(["--upstream", "a:1", "--idle-timeout", "3x"])
                == "malformed value \"3x\" for --idle-timeout; expected a duration, such as 300ms or 5s")
        #expect(error(["--upstream", "nocolon"])?.hasPrefix("malformed value \"nocolon\" for --upstream") == true)
        #expect(error(["--upstream", "a:99999"])?.hasPrefix("malformed value") == true)
        #expect(error(["--upstream", "a:1", "--route", "=a:1"])?.hasPrefix("malformed value \"=a:1\" for --route") == true)
        #expect(error(["--upstream"]) == "flag --upstream needs a value: HOST:PORT, such as 127.0.0.1:8080")
        #expect(error([]) == "missing flag --upstream HOST:PORT, such as 127.0.0.1:8080")
        #expect(error(["--upstream", "a:1", "--upstream", "b:2"]) == "flag --upstream given more than once")
        #expect(error(["--upstream", "a:1", "stray"])?.hasPrefix("unexpected argument \"stray\"") == true)
        #expect(error(["--upstream", "a:1", "--verbose=yes"]) == "flag --verbose takes no value")
        #expect(error(["--upstream", "a:1", "--max-conns", "many"])?.hasPrefix("malformed value \"many\" for --max-conns") == true)
        for args in [["--bogus"], ["--idle-timeout", "x"], []] {
            #expect(error(args).map { !$0.contains("\n") } == true)
        }
    }

    @Test("--help lists every flag")
    func help() throws {
        guard case .help(let text) = try parseFlags(["--upstream", "a:1", "--help"], flags: flags, program: "lesson04") else {
            Issue.record("no help")
            return
        }
        #expect(text.hasPrefix("usage: lesson04 [flags]"))
        for name in ["--listen HOST:PORT", "--upstream HOST:PORT", "--idle-timeout DURATION", "--route NAME=HOST:PORT", "--verbose", "--help"] {
            #expect(text.contains(name))
        }
    }

    @Test("a log event stays one line of text: control characters are escaped, tabs and Unicode kept")
    func eventEscaping() {
        #expect(Log.oneLine("sni a\u{0}b.test") == "sni a\\x00b.test")
        #expect(Log.oneLine("got \"GET /\r\n\" then\nmore") == "got \"GET /\\r\\n\" then\\nmore")
        #expect(Log.oneLine("bell\u{7}del\u{7f}esc\u{1b}") == "bell\\x07del\\x7fesc\\x1b")
        #expect(Log.oneLine("tab\there, café, 日本") == "tab\there, café, 日本")
        #expect(!Log.oneLine("a\r\nb\u{0}").unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test("durations as Go writes them")
    func durations() {
        #expect(parseDuration("300ms") == .milliseconds(300))
        #expect(parseDuration("5s") == .seconds(5))
        #expect(parseDuration("1.5s") == .milliseconds(1500))
        #expect(parseDuration("2m") == .seconds(120))
        #expect(parseDuration("100us") == .microseconds(100))
        #expect(parseDuration("1h") == .seconds(3600))
        for bad in ["", "5", "ms", "5 s", "-1s", ".5s", "1.2.3s", "5sec"] {
            #expect(parseDuration(bad) == nil, "\(bad)")
        }
    }
}

/// LessonKit in a real program: netlab-testserver uses `LessonProgram.run`.
@Suite("LessonKit programs", .timeLimit(.minutes(1)))
struct LessonKitProgramTests {
    func server() throws -> String { try builtExecutable("netlab-testserver") }

    /// Runs the program, sends `signal` once it printed its ready line (if given), returns
    /// (status, stdout, stderr).
    func run(_ args: [String], signal: Int32? = nil) async throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try server())
        process.arguments = args
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // The bound of the whole run: reads that wait for output that never comes end when the
        // program is killed.
        let pid = process.processIdentifier
        let watchdog = Task {
            // Cancelled once the run is over: then the pid may already belong to another process.
            guard (try? await Task.sleep(for: .seconds(30))) != nil else { return }
            kill(pid, SIGKILL)
        }
        defer { watchdog.cancel() }
        // The reads and the wait block: off the cooperative pool, whose two threads every other
        // suite of this process needs meanwhile.
        return await offPool { () -> (Int32, String, String) in
            var stdout = Data()
            if let signal {
                // Read until the ready line, then signal.
                while !(String(decoding: stdout, as: UTF8.self).contains("\n")) {
                    let chunk = out.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    stdout += chunk
                }
                kill(process.processIdentifier, signal)
            }
            stdout += out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
        }
    }

    @Test("an unknown flag: one line on stderr, exit status 2")
    func unknownFlag() async throws {
        let (status, stdout, stderr) = try await run(["--nope"])
        #expect(status == 2)
        #expect(stdout.isEmpty)
        #expect(stderr.hasPrefix("netlab-testserver: unknown flag --nope;"))
        #expect(stderr.filter { $0 == "\n" }.count == 1)
    }

    @Test("--help: usage on stdout, exit status 0")
    func help() async throws {
        let (status, stdout, _) = try await run(["--help"])
        #expect(status == 0)
        #expect(stdout.contains("--listen HOST:PORT"))
    }

    @Test("stdout is line-buffered into a pipe: a print comes out as it is made, not at exit (or never)")
    func printLineBuffered() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try server())
        process.arguments = ["--listen", "127.0.0.1:0", "--mode", "print"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        // The bound of the whole test: a read that waits for a line that never comes ends when
        // the program is killed.
        let watchdog = Task {
            // Cancelled once the run is over: then the pid may already belong to another process.
            guard (try? await Task.sleep(for: .seconds(10))) != nil else { return }
            kill(pid, SIGKILL)
        }
        defer {
            watchdog.cancel()
            kill(pid, SIGKILL)
            // The child was killed: its end is a moment away, and the wait takes no pool thread.
            Thread.detachNewThread { process.waitUntilExit() }
        }
        let reader = out.fileHandleForReading
        /// Reads stdout (off the cooperative pool) until it holds `text` or ends.
        func read(until text: String, into seen: inout String) async -> Bool {
            while !seen.contains(text) {
                let chunk = await withCheckedContinuation { done in
                    Thread { done.resume(returning: reader.availableData) }.start()
                }
                if chunk.isEmpty { return false }
                seen += String(decoding: chunk, as: UTF8.self)
            }
            return seen.contains(text)
        }
        var seen = ""
        #expect(await read(until: "\n", into: &seen))
        let address = try #require(seen.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        let conn = try await TCPConn.dial(address, timeout: .seconds(5))
        defer { try? conn.close() }
        // The program is still running (it is killed, not asked to exit): the line came on its own.
        #expect(await read(until: "accepted 127.0.0.1:", into: &seen), "stdout: \(seen)")
    }

    @Test("ShutdownSignal.notify(): the first SIGTERM or SIGINT goes to the waiting task, which ends the program itself")
    func signalTakenOver() async throws {
        for signal in [SIGTERM, SIGINT] {
            let (status, _, stderr) = try await run(["--listen", "127.0.0.1:0", "--mode", "graceful", "--delay", "200ms"], signal: signal)
            #expect(status == 0)
            #expect(stderr == "graceful: \(ShutdownSignal.name(of: signal))\ngraceful: done\n")
        }
    }

    @Test("ShutdownSignal.notify(): a second signal exits at once, status 0, whatever the tasks are doing")
    func secondSignalExits() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try server())
        process.arguments = ["--listen", "127.0.0.1:0", "--mode", "graceful", "--delay", "60s"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            // Cancelled once the run is over: then the pid may already belong to another process.
            guard (try? await Task.sleep(for: .seconds(30))) != nil else { return }
            kill(pid, SIGKILL)
        }
        defer { watchdog.cancel() }
        // Blocking reads and the wait, off the cooperative pool.
        await offPool {
            var stdout = Data()
            while !String(decoding: stdout, as: UTF8.self).contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                stdout += chunk
            }
        }
        // Two different signals: both are delivered, in turn, even if both are pending at once.
        kill(pid, SIGTERM)
        try await Task.sleep(for: .milliseconds(100))
        kill(pid, SIGINT)
        let (stderr, reason, status) = await offPool { () -> (String, Process.TerminationReason, Int32) in
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (text, process.terminationReason, process.terminationStatus)
        }
        #expect(reason == .exit)
        #expect(status == 0)
        #expect(stderr == "graceful: SIGTERM\n", "the first signal was heard, and the 60 s of work never finished")
    }

    @Test("the ready line exactly once; SIGTERM and SIGINT end the program with status 0")
    func readyAndSignals() async throws {
        for signal in [SIGTERM, SIGINT] {
            let (status, stdout, _) = try await run(["--listen", "127.0.0.1:0"], signal: signal)
            #expect(status == 0)
            let lines = stdout.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(lines.first?.wholeMatch(of: /netlab: listening on 127\.0\.0\.1:\d+/) != nil)
        }
    }

    /// `exit` would run the C exit handlers while the program's tasks still run, and OpenSSL's
    /// frees what a handshake in flight is using: lesson 7's reference crashed on 5 SIGTERMs in 24
    /// under load. The program ends with `_exit`, as Go's `os.Exit` does, so no handler runs.
    @Test("a signal, or the body returning, runs no exit handler: status 0, and the handler's line never written")
    func programEndsRunNoExitHandler() async throws {
        for signal in [SIGTERM, SIGINT] {
            let (status, _, stderr) = try await run(["--listen", "127.0.0.1:0", "--at-exit"], signal: signal)
            #expect(status == 0)
            #expect(!stderr.contains("exit handler ran"), "\(stderr)")
        }
        // Graceful mode takes the signal over, finishes its work and returns from the body.
        let (status, _, stderr) = try await run(
            ["--listen", "127.0.0.1:0", "--mode", "graceful", "--delay", "200ms", "--at-exit"], signal: SIGTERM)
        #expect(status == 0)
        #expect(stderr == "graceful: SIGTERM\ngraceful: done\n", "the body returned and no handler ran")
    }
}
