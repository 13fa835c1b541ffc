@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Synchronization
import Testing
@testable import Workbook

/// A failing transcript as the runner writes it for `repeat 100 as i { connect c{i}; send c{i} … }`:
/// connects, sends and the server's accepts interleaved, one client refused, then the FAIL block.
func loopTranscript(clients: Int = 100, hint: String? = "Serve each client in its own task.") -> String {
    var lines = [
        "check \"serves 100 clients\" (checks.netlab:12:1)",
        "+0.000s  [netlab] $ /tmp/lesson02 --listen 127.0.0.1:0",
        "+0.012s  [server stdout] netlab: listening on 127.0.0.1:38965",
    ]
    for i in 0..<clients {
        let ms = 30 + i
        let stamp = "+0.\(String(format: "%03d", ms))s "
        if i == 57 {
            lines.append("\(stamp) [client c\(i)] connect 127.0.0.1:38965: connection refused")
            continue
        }
        lines.append("\(stamp) [client c\(i)] connect 127.0.0.1:38965: connected from 127.0.0.1:\(45000 + i * 7)")
        if i % 3 == 0 { lines.append("\(stamp) [client c\(i)] sent 16 KiB: random data `d\(i)`") }
        if i < 40 { lines.append("\(stamp) [server] accepted 127.0.0.1:\(45000 + i * 7)") }
    }
    lines.append("+5.219s  [netlab] stopped the server with SIGTERM: it exited with status 0")
    lines.append("FAIL checks.netlab:19:5: expect c{i} d{i} within 5s")
    lines.append("expected 16 KiB of `d1` from client c1 within 5s; got nothing")
    if let hint { lines.append("hint: \(hint)") }
    return lines.joined(separator: "\n") + "\n"
}

func failing(
    _ name: String, message: String, transcript: String, hint: String? = "Serve each client in its own task.",
    status: CheckResult.Status = .fail
) -> CheckResult {
    CheckResult(
        name: name, status: status, points: 0, maxPoints: 2, message: message, transcript: transcript, hint: hint,
        location: "checks.netlab:12:1", index: 2, duration: .seconds(5))
}

@Suite("Output: the verdict")
struct VerdictOutputTests {
    @Test func foldsTheLinesOfALoop() {
        let folded = TranscriptFolding.folded(loopTranscript()).components(separatedBy: "\n")
        // 99 connects shown as two and a summary; the refused one stays, it differs in substance.
        #expect(folded.filter { $0.contains("] connect 127.0.0.1:38965: connected from") }.count == 2)
        #expect(folded.contains("+0.032s  … 97 more [client c2 … c99] connect lines, the same but for names and addresses (until +0.129s)"))
        #expect(folded.contains("+0.087s  [client c57] connect 127.0.0.1:38965: connection refused"))
        #expect(folded.filter { $0.contains("sent 16 KiB") }.count == 2)
        #expect(folded.contains { $0.hasPrefix("+0.036s  … 31 more [client c6 … c99] sent lines") })
        #expect(folded.filter { $0.contains("[server] accepted 127") }.count == 2)
        #expect(folded.contains { $0.contains("… 38 more [server] accepted lines, the same but for names and addresses") })
        // The check's title, its start and the FAIL block are kept as they are, in order.
        #expect(folded.first == "check \"serves 100 clients\" (checks.netlab:12:1)")
        #expect(
            Array(folded.suffix(5)) == [
                "+5.219s  [netlab] stopped the server with SIGTERM: it exited with status 0",
                "FAIL checks.netlab:19:5: expect c{i} d{i} within 5s",
                "expected 16 KiB of `d1` from client c1 within 5s; got nothing",
                "hint: Serve each client in its own task.", "",
            ])
        #expect(folded.count < 25)
    }

    @Test func foldingKeepsWhatDiffersAndTheClientsTheFailureNames() {
        // Byte counts are substance: 5 bytes and 6 bytes are not "the same".
        let lines = (0..<6).map { "+0.01\($0)s  [client c\($0)] sent \($0 < 3 ? 5 : 6) bytes: \"ping\\n\"" }
        #expect(TranscriptFolding.folded(lines.joined(separator: "\n")) == lines.joined(separator: "\n"))
        // Identical lines say so.
        let sleeps = (0..<5).map { "+0.0\($0)0s  [netlab] sleep 10ms" }.joined(separator: "\n")
        #expect(TranscriptFolding.folded(sleeps).hasSuffix("+0.020s  … 3 more [netlab] sleep lines, all the same (until +0.040s)"))
        // Two lines are never folded into one summary: nothing would be saved.
        let three = (0..<3).map { "+0.00\($0)s  [client c\($0)] connect 127.0.0.1:1: connected from 127.0.0.1:\($0 + 2)" }
        #expect(TranscriptFolding.folded(three.joined(separator: "\n")) == three.joined(separator: "\n"))
        // The client the message names keeps every line.
        let named = TranscriptFolding.sourcesNamed(in: "expected \"x\" from client c77 within 5s; got nothing")
        #expect(named == ["client c77"])
        let folded = TranscriptFolding.folded(loopTranscript(), keepingSources: named)
        #expect(folded.contains("[client c77] connect 127.0.0.1:38965: connected from 127.0.0.1:45539"))
        // Detail lines belong to their entry and fold with it.
        #expect(TranscriptFolding.shape("connect [::1]:8080: connected from 127.0.0.1:4 as `d12`") == "connect ADDR: connected from ADDR as `d#`")
    }

    @Test func onlyTheFirstFailureIsShownInFull() {
        let printer = CheckPrinter(style: .plain, verbose: false, runCommand: "netlab run 2")
        let stream = VerdictStream(printer: printer)
        let pass = CheckResult(
            name: "silent client", status: .pass, points: 2, maxPoints: 2, message: nil, transcript: "PASS",
            hint: "Never shown", location: "checks.netlab:4:1", index: 1, duration: .seconds(1))
        #expect(stream.render(pass) == "✓ silent client  [2/2]")
        let first = stream.render(
            failing(
                "serves 100 clients", message: "expected 16 KiB of `d1` from client c1 within 5s; got nothing",
                transcript: loopTranscript()))
        #expect(
            first.hasPrefix(
                "✗ serves 100 clients  [0/2]\n  expected 16 KiB of `d1` from client c1 within 5s; got nothing\n    check \"serves 100 clients\""))
        // Client c1, which the message names, keeps its lines; the others fold.
        #expect(first.contains("\n    +0.033s  … 96 more [client c3 … c99] connect lines"))
        // The hint once, at the end, not inside the transcript.
        #expect(first.hasSuffix("\n    expected 16 KiB of `d1` from client c1 within 5s; got nothing\n  hint: Serve each client in its own task."))
        #expect(first.components(separatedBy: "hint:").count == 2)
        let second = stream.render(
            failing(
                "accepts 1,000", message: "expected \"ping\\n\" from client c1", transcript: loopTranscript(),
                hint: "A task per connection costs little."))
        #expect(second == "✗ accepts 1,000  [0/2]")
        let third = stream.render(failing("resets", message: "m", transcript: "x", status: .error))
        #expect(third == "! resets  [0/2]")
        #expect(stream.laterFailures == 2)
        #expect(stream.closingNote(command: "netlab check 2")?.hasPrefix("2 more checks failed") == true)
        #expect(stream.closingNote(command: "netlab check 2")?.contains("`netlab check 2 --verbose`") == true)
    }

    @Test func verboseShowsEveryCheckInFullUnfolded() {
        let stream = VerdictStream(printer: CheckPrinter(style: .plain, verbose: true))
        let transcript = loopTranscript()
        let one = stream.render(failing("a", message: "m", transcript: transcript))
        let two = stream.render(failing("b", message: "m", transcript: transcript))
        for text in [one, two] {
            #expect(text.components(separatedBy: "] connect 127.0.0.1:38965: connected from").count == 100)
            #expect(text.components(separatedBy: "hint: Serve each client in its own task.").count == 2)
        }
        #expect(stream.closingNote(command: "netlab check 2") == nil)
    }

    @Test func aProgramThatIsNotThereGetsAHintAboutThat() {
        let start = "+0.000s  [netlab] $ /tmp/lesson02 --listen 127.0.0.1:0\n"
        let subject = "Use a task group."
        func cause(_ message: String, _ transcript: String) -> FailureCause? {
            FailureCause.of(failing("x", message: message, transcript: transcript, hint: subject))
        }
        // Exited before its ready line.
        let exited = failing(
            "x", message: "the server exited with status 1 before printing its ready line (netlab: listening on HOST:PORT) (checks.netlab:4:1)",
            transcript: start + "FAIL checks.netlab:4:1: check\nthe server exited with status 1\nhint: \(subject)", hint: subject)
        #expect(FailureCause.of(exited) == .exited("exited with status 1", beforeReady: true))
        let text = CheckPrinter(style: .plain, verbose: false, runCommand: "netlab run 2").render(exited)
        #expect(
            text.hasSuffix(
                "hint: your program exited with status 1 before it printed its ready line; its last lines on stderr above say why. Start it by hand (netlab run 2) to watch it start."
            ))
        #expect(!text.contains(subject))
        // Crashed: the crash is named, found in the server's lines before netlab stopped it.
        let crash =
            start
            + "+0.100s  [server] main.swift:83: Fatal error: Index out of range\n+0.101s  [server] *** Program crashed: System trap at 0x1 ***\n"
            + "FAIL x\nclient c2 could not connect to 127.0.0.1:4000: connection refused"
        #expect(cause("client c2 could not connect to 127.0.0.1:4000: connection refused", crash) == .crashed("Fatal error: Index out of range"))
        #expect(
            FailureCause.crashed("Fatal error: Index out of range").hint().hasPrefix(
                "your program crashed (Fatal error: Index out of range) before this step"))
        // Refused with nothing left to stop: it had exited; refused while running: it closed its listener.
        let refused = "client c2 could not connect to 127.0.0.1:4000: connection refused (checks.netlab:9:3)"
        #expect(cause(refused, start + "+0.2s [client c2] connect: connection refused\nFAIL x") == .exited(nil, beforeReady: false))
        #expect(cause(refused, start + "+1.000s  [netlab] stopped the server with SIGTERM: it exited with status 0\nFAIL x") == .stoppedListening)
        #expect(cause("the server printed no ready line (netlab: listening on HOST:PORT) within 5s", start) == .notReady)
        #expect(cause("the server is not running: it was killed by SIGKILL", start) == .exited("was killed by SIGKILL", beforeReady: false))
        #expect(cause("m", start + "+0.5s  [netlab] the server exited with status 3\nFAIL x") == .exited("exited with status 3", beforeReady: false))
        // The step's own subject: the check's hint.
        #expect(
            cause(
                "expected \"hello\\n\" from client b within 1s; got nothing",
                start + "+1.000s  [netlab] stopped the server with SIGTERM: it exited with status 0") == nil)
        // A check that stops the server expects it to end; its exit is not the cause.
        #expect(
            cause(
                "expected the server to exit with status 0; it exited with status 1",
                start + "+0.1s  [netlab] stop: sent SIGTERM to the server\nFAIL x") == nil)
        // A crash after netlab stopped the program (while stopping) is not why the step failed.
        #expect(
            cause(
                "expected x; got nothing",
                start + "+1.000s  [netlab] stopped the server with SIGTERM: it was killed by SIGTRAP\n+1.001s  [server] Fatal error: boom") == nil)
    }

    @Test func theRunningLineIsTransientAndOnlyOnATerminal() async throws {
        let written = Mutex<[String]>([])
        let progress = CheckProgress(names: ["first", "second"], enabled: true, style: .plain, tick: .seconds(600)) { s in
            written.withLock { $0.append(s) }
        }
        progress.start()
        #expect(written.withLock { $0 } == ["\r\u{1B}[K… running: first (1/2)"])
        progress.finished(0, print: "✓ first")
        progress.finished(1, print: "✗ second")
        progress.stop()
        let all = written.withLock { $0 }.joined()
        #expect(all == "\r\u{1B}[K… running: first (1/2)\r\u{1B}[K✓ first\n\r\u{1B}[K… running: second (2/2)\r\u{1B}[K✗ second\n")
        // The seconds count goes up while a check waits; it is erased at the end.
        let ticking = Mutex<[String]>([])
        let slow = CheckProgress(names: ["slow"], enabled: true, style: .plain, tick: .milliseconds(200)) { s in ticking.withLock { $0.append(s) } }
        slow.start()
        #expect(slow.text(position: 0, elapsed: .milliseconds(3900)) == "… running: slow (1/1), 3s")
        // The cooperative pool has two threads here and other suites may hold it for seconds.
        let deadline = ContinuousClock.now + .seconds(60)
        // Any count of whole seconds: on a busy machine the tick at 1s may come after 2s.
        func counted(_ line: String) -> Bool {
            line.contains("… running: slow (1/1), ") && line.hasSuffix("s") && !line.hasSuffix(", 0s")
        }
        while ContinuousClock.now < deadline, !ticking.withLock({ $0.contains(where: counted) }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        slow.stop()
        let ticks = ticking.withLock { $0 }
        #expect(ticks.contains(where: counted))
        #expect(ticks.first == "\r\u{1B}[K… running: slow (1/1)")
        #expect(ticks.last == "\r\u{1B}[K")
        // A long name is cut to fit one line of 80 columns.
        let long = CheckProgress(names: [String(repeating: "x", count: 200)], enabled: true, style: .plain) { _ in }
        let text = long.text(position: 0, elapsed: .seconds(125))
        #expect(text.count <= 80 && text.hasSuffix("x… (1/1), 125s"))
        // Off a terminal: the verdicts only.
        let plain = Mutex<[String]>([])
        let off = CheckProgress(names: ["a"], enabled: false, style: .plain) { s in plain.withLock { $0.append(s) } }
        off.start()
        off.finished(0, print: "✓ a")
        off.stop()
        #expect(plain.withLock { $0 } == ["✓ a\n"])
    }
}
