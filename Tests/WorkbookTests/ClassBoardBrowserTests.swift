import CheckResults
@testable import ClassBoard
import Foundation
import NetCore
import ProcessSupervision
@testable import NetlabCommandLine
import Synchronization
import Testing
@testable import Workbook

/// The board in a real browser: headless Chromium (Debian `chromium`, installed by
/// scripts/install-deps.sh) driven by scripts/board-browser.py over the DevTools protocol.
@Suite("Class board in headless Chromium", .serialized, .timeLimit(.minutes(3)))
struct ClassBoardBrowserTests {
    @Test("the page goes live, and a result posted while it is open appears without a reload; the screenshot is taken")
    func liveInChromium() async throws {
        let file = temporaryStateFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let board = try RunningBoard(stateFile: file, key: classKey)
        defer { Task { await board.stop() } }
        #expect(try await board.post(try signed("Ada L", pass: true, key: classKey)).status == 201)
        let screenshot = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-board-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: screenshot) }
        let script = packageRoot.appendingPathComponent("scripts/board-browser.py").path
        var found: String?
        for path in ["/usr/bin/python3", "/usr/local/bin/python3"] where found == nil {
            if (try? await ProcessRunner.run(path, ["-c", "import websockets"], timeout: .seconds(30)))?.status == 0 { found = path }
        }
        let python = try #require(found, "no python3 with websockets (Debian python3-websockets): run scripts/install-deps.sh")
        #expect(
            (try? await ProcessRunner.run("chromium", ["--version"], timeout: .seconds(60)))?.status == 0,
            "no chromium (Debian chromium): run scripts/install-deps.sh")
        let posted = Mutex<Task<Int, Error>?>(nil)
        let output = try await ProcessRunner.run(
            python, [script, "http://\(board.address)/", screenshot.path, "--wait-for", "Grace H"], timeout: .seconds(150),
            onOutput: { data, isStderr in
                guard !isStderr, String(decoding: data, as: UTF8.self).contains("LIVE") else { return }
                posted.withLock { task in
                    if task == nil { task = Task { try await board.post(try signed("Grace H", pass: false, key: classKey)).status } }
                }
            })
        #expect(output.status == 0, "\(output.stdoutText)\(output.stderrText.suffix(2000))")
        #expect(output.stdoutText.contains("LIVE\nSEEN"), "\(output.stdoutText)")
        #expect(try await posted.withLock { $0 }?.value == 201)
        let png = try Data(contentsOf: screenshot)
        #expect(png.count > 5000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}
