@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
import Glibc
@testable import NetlabCommandLine
import Testing
@testable import Workbook
#if canImport(Glibc)
#endif

/// A ready line must name the program's own port: naming another server's does not pass.
@Suite("Port ownership", .timeLimit(.minutes(1)))
struct PortOwnershipTests {
    /// A real echo server that is not the program under check.
    func otherServer() async throws -> (ServerProcess, String) {
        let other = try ServerProcess.start(ProgramLaunch(executable: try testServerPath()), arguments: ["--listen", "127.0.0.1:0"])
        guard case .ready(let address) = await other.waitReady(timeout: .seconds(10)) else {
            await other.stop()
            throw CheckError(message: "the other server did not start")
        }
        return (other, address)
    }

    @Test("a program that announces another server's port fails, though that server echoes")
    func foreignPortFails() async throws {
        let (other, address) = try await otherServer()
        let r = try await runOne(
            """
            start --listen {listen} --announce \(address)
            check "echoes"
              connect a
              send a "hi\\n"
              expect a "hi\\n" within 2s
            """)
        await other.stop()
        let port = address.split(separator: ":").last.map(String.init) ?? ""
        expectFail(r, "the ready line names port \(port), but the listening socket on that port is not your program's (pid ")
        #expect(r.transcript.contains("or its children's"))
    }

    @Test("a program that announces a port where nothing listens fails before any step")
    func emptyPortFails() async throws {
        // A port that was free a moment ago, and is closed again.
        let (other, address) = try await otherServer()
        await other.stop()
        let port = address.split(separator: ":").last.map(String.init) ?? ""
        let r = try await runOne(
            """
            start --listen {listen} --announce 127.0.0.1:\(port)
            check "echoes"
              connect a
            """)
        expectFail(r, "the ready line names port \(port), but nothing listens on that port")
    }

    @Test(
        "the program's own port passes, also when a shell runs it as a child (a --cmd wrapper)",
        arguments: [false, true])
    func ownPortPasses(wrapped: Bool) async throws {
        let server = try testServerPath()
        // Without exec, the shell forks the server: the listener is its child's.
        let program =
            wrapped
            ? ProgramLaunch(executable: "/bin/sh", arguments: ["-c", "\"$0\" \"$@\"; exit $?", server])
            : ProgramLaunch(executable: server)
        let r = try await runOne(
            """
            start --listen {listen}
            check "echoes"
              connect a
              send a "hi\\n"
              expect a "hi\\n" within 2s
            """, program: program)
        expectPass(r)
    }

    @Test("a program that exits right after its ready line is judged by the check, not as a foreign port")
    func exitAfterReady() async throws {
        // As a lesson 12 program that gives up at once: its listener goes with it, maybe before
        // netlab has looked. Several times, since the exit races the look.
        for _ in 0..<5 {
            let r = try await runOne(
                """
                start --listen {listen} --mode crash --delay 0ms
                check "crashes"
                  expect server log /crashing now/ within 5s
                """)
            expectPass(r)
            #expect(!r.transcript.contains("nothing listens") && !r.transcript.contains("another program serves it"))
        }
    }

    @Test("hasEnded: a live process no, a zombie and a reaped one yes")
    func endedProcesses() throws {
        #expect(!PortOwnership.hasEnded(getpid()))
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, &argv, nil) == 0)
        // Not waited for yet: a zombie once it has run.
        var ended = false
        for _ in 0..<500 where !ended {
            ended = PortOwnership.hasEnded(pid)
            if !ended { usleep(10_000) }
        }
        #expect(ended, "the child never showed as ended")
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect(PortOwnership.hasEnded(pid))
    }

    @Test("/proc/net/tcp rows: LISTEN only, addresses in network order, both families")
    func parsesTables() {
        let v4 = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0 100 0 0 10 0
               1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0 20 4 30 10 -1
            """
        #expect(PortOwnership.parseTable(v4) == [.init(address: [127, 0, 0, 1], port: 8080, inode: 4242)])
        let v6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 99 1 0 100 0 0 10 0
            """
        #expect(PortOwnership.parseTable(v6) == [.init(address: [UInt8](repeating: 0, count: 15) + [1], port: 8080, inode: 99)])
        let any = PortOwnership.Listener(address: [0, 0, 0, 0], port: 1, inode: 1)
        let other = PortOwnership.Listener(address: [127, 0, 0, 2], port: 1, inode: 2)
        #expect(PortOwnership.candidates(for: "127.0.0.1", among: [any, other]) == [any])
        #expect(PortOwnership.candidates(for: "localhost", among: [any, other]) == [any, other])
    }
}
