import Foundation
import NetCore
import Syscall
import Testing
import LessonKit

/// `LessonProgram.runBlocking` in a real program: netlab-blockingserver, an echo server on raw
/// blocking sockets with a thread per connection.
@Suite("LessonKit blocking programs", .timeLimit(.minutes(1)))
struct LessonProgramBlockingTests {
    /// A started netlab-blockingserver, its output read off the cooperative pool, killed after
    /// 20 s at the latest.
    final class Program: @unchecked Sendable {
        let process = Process()
        let out = Pipe(), err = Pipe()
        private let lock = NSLock()
        private var stdoutText = "", stderrText = ""
        private let readers = DispatchGroup()

        init(_ args: [String]) throws {
            process.executableURL = URL(fileURLWithPath: try Program.path())
            process.arguments = args
            process.standardOutput = out
            process.standardError = err
            try process.run()
            // Only while it runs: once it has exited and been reaped, its pid may be another
            // process's (pid_max can be as low as 32768 on a box that starts many).
            DispatchQueue.global().asyncAfter(deadline: .now() + 20) { [self] in
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            for (handle, isStdout) in [(out.fileHandleForReading, true), (err.fileHandleForReading, false)] {
                readers.enter()
                Thread.detachNewThread { [self] in
                    while true {
                        let chunk = handle.availableData
                        if chunk.isEmpty { break }
                        lock.withLock {
                            if isStdout {
                                stdoutText += String(decoding: chunk, as: UTF8.self)
                            } else {
                                stderrText += String(decoding: chunk, as: UTF8.self)
                            }
                        }
                    }
                    readers.leave()
                }
            }
        }

        var stdout: String { lock.withLock { stdoutText } }
        var stderr: String { lock.withLock { stderrText } }

        /// Polls until `condition` holds of (stdout, stderr), for up to 10 s.
        func waitFor(_ condition: (String, String) -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                if condition(stdout, stderr) { return true }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return condition(stdout, stderr)
        }

        /// The address of the ready line.
        func address() async throws -> String {
            #expect(await waitFor { out, _ in out.contains("\n") }, "no ready line; stderr: \(stderr)")
            let line = try #require(stdout.split(separator: "\n").first)
            return try #require(line.split(separator: " ").last.map(String.init))
        }

        /// Waits (off the pool) for the program to end; its exit status.
        func status() async -> Int32 {
            await withCheckedContinuation { done in
                Thread.detachNewThread { [self] in
                    process.waitUntilExit()
                    readers.wait()
                    done.resume(returning: process.terminationStatus)
                }
            }
        }

        static func path() throws -> String { try builtExecutable("netlab-blockingserver") }
    }

    @Test("an unknown flag: one line on stderr, exit status 2; --help: usage on stdout, exit status 0")
    func flags() async throws {
        let bad = try Program(["--nope"])
        #expect(await bad.status() == 2)
        #expect(bad.stdout.isEmpty)
        #expect(bad.stderr.hasPrefix("netlab-blockingserver: unknown flag --nope;"))
        #expect(bad.stderr.filter { $0 == "\n" }.count == 1)
        let help = try Program(["--help"])
        #expect(await help.status() == 0)
        #expect(help.stdout.contains("--listen HOST:PORT"))
    }

    @Test(
        "the ready line once; it serves on raw sockets and logs Sockaddr events; SIGTERM and SIGINT end it with status 0 while its threads block",
        arguments: [SIGTERM, SIGINT])
    func readyServeAndSignal(signal: Int32) async throws {
        let program = try Program(["--listen", "127.0.0.1:0"])
        let address = try await program.address()
        #expect(address.wholeMatch(of: /127\.0\.0\.1:\d+/) != nil)
        // Two clients at once: a thread each (the first one idle does not stall the second).
        let idle = try await TCPConn.dial(address, timeout: .seconds(5))
        defer { try? idle.close() }
        let conn = try await TCPConn.dial(address, timeout: .seconds(5))
        try conn.setDeadline(.after(.seconds(5)))
        try await conn.write(Array("ping".utf8))
        #expect(try await conn.readExactly(4) == Array("ping".utf8))
        let local = conn.localAddress.description
        try conn.close()
        #expect(await program.waitFor { _, err in err.contains("closed \(local)\n") }, "stderr: \(program.stderr)")
        #expect(program.stderr.contains("accepted \(local)\n"))
        // The main thread is blocked in accept, one thread in read: the signal still ends it.
        kill(program.process.processIdentifier, signal)
        #expect(await program.status() == 0)
        #expect(program.stdout.split(separator: "\n").count == 1)
    }

    @Test("the body throws: `error: REASON` in the log with the system's message, exit status 1")
    func bodyThrows() async throws {
        let (fd, taken) = try Self.holdPort()
        defer { try? Syscall.close(fd) }
        let busy = try Program(["--listen", taken.description])
        #expect(await busy.status() == 1)
        #expect(busy.stderr == "error: address already in use\n")
        #expect(busy.stdout.isEmpty)
        // A --listen that passes the flag check but is no IP address: the Sockaddr error.
        let named = try Program(["--listen", "example.invalid:0"])
        #expect(await named.status() == 1)
        #expect(named.stderr.hasPrefix("error: bad address \"example.invalid:0\": "))
    }

    /// A listening socket on a loopback port, which the program then cannot bind.
    static func holdPort() throws -> (FD, Sockaddr) {
        let fd = try socket(.inet, .stream)
        try bind(fd, Sockaddr("127.0.0.1:0"))
        try listen(fd, 1)
        return (fd, try getsockname(fd))
    }
}
