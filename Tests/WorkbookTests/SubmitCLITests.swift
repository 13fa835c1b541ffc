import CheckResults
@testable import ClassBoard
import Foundation
import NetCore
import ProcessSupervision
@testable import NetlabCommandLine
import Synchronization
import Testing
@testable import Workbook

@Suite("CLI: check --submit")
struct SubmitCLITests {
    @Test("--submit posts each lesson's signed results; it needs a key, refuses --solution and a bad URL; a board that is down is said")
    func submit() async throws {
        // The CLI runs here as `netlab check` runs in its own process, where nothing else
        // queues for the threads: its waits resume on NetExecutor, not behind the suite.
        try await withTaskExecutorPreference(NetExecutor.shared) { try await submitOnNetExecutor() }
    }

    func submitOnNetExecutor() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let file = temporaryStateFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let board = try RunningBoard(stateFile: file, key: classKey)
        defer { Task { await board.stop() } }
        try wb.write("ada.key", classKey.forStudent("Ada L").fileText)
        let url = "http://\(board.address)/"
        let env = ["NETLAB_CLASS_KEY_FILE": wb.url("ada.key").path]
        let posted = await runCLI(["check", "1", "2", "--cmd", "x", "--submit", url], in: wb.root, environment: env)
        #expect(posted.out.components(separatedBy: "Class board: posted as Ada L (from the student key)").count == 3, "\(posted.out)\(posted.err)")
        #expect(board.server.state.all.count == 2)
        let noKey = await runCLI(["check", "1", "--cmd", "x", "--submit", url], in: wb.root, environment: ["NETLAB_STUDENT": "x"])
        #expect(noKey.status == 2 && noKey.err.contains("--submit posts signed results, and no key signs them"), "\(noKey.err)")
        let solution = await runCLI(["check", "1", "--solution", "--submit", url], in: wb.root, environment: env)
        #expect(solution.status == 2 && solution.err.contains("the reference solution's are not yours to post"))
        let badURL = await runCLI(["check", "1", "--cmd", "x", "--submit", "ftp://x"], in: wb.root, environment: env)
        #expect(badURL.status == 2 && badURL.err.contains("the board's URL is http://HOST:PORT/"))
        // A board that is not there: the check's own verdict and exit status stand, and it is said.
        let closed = try TCPListener.listen(address: "127.0.0.1:0")
        let downURL = "http://127.0.0.1:\(closed.address.port)/"
        try closed.close()
        let down = await runCLI(["check", "1", "--cmd", "x", "--submit", downURL], in: wb.root, environment: env)
        #expect(down.status == 0 && down.out.contains("Class board: could not post to \(downURL)"), "\(down.out)")
        #expect(BoardClient.target("http://h:1")! == ("h:1", "/results"))
        #expect(BoardClient.target("http://h:1/class/")! == ("h:1", "/class/results"))
        #expect(BoardClient.target("http://h:1/results")! == ("h:1", "/results"))
        #expect(BoardClient.target("http://h/") == nil && BoardClient.target("https://h:1/") == nil && BoardClient.target("http://u@h:1/") == nil)
    }
}
