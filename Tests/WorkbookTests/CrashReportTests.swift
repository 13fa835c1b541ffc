@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// Lines as a program wrote them, one every millisecond from `start`.
private func output(
    _ text: String, stream: OutputLine.Stream = .stderr,
    start: ContinuousClock.Instant = .now
) -> [OutputLine] {
    text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { i, line in
        OutputLine(sequence: i, stream: stream, time: start + .milliseconds(i), text: String(line))
    }
}

@Suite("Crash reports: the trap line and the program's own place")
struct CrashReportTests {
    @Test("Swift: a trap in the standard library is placed by the first frame of the program's own")
    func swiftBacktrace() throws {
        let lines = output(
            """
            accepted 127.0.0.1:5000
            Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range

            *** Signal 4: Backtracing from 0x7f5fe536df7f... done ***

            *** Program crashed: Illegal instruction at 0x00007f5fe536df7f ***

            Thread 0 "main":
              0 [ra] 0x000055ef451f3783 main + 1010 in lesson02 at /work/netlab/lessons/02-tasks/main.swift:5:1

            Thread 2 crashed:

              0      0x00007f5fe536df7f closure #1 in closure #1 in _assertionFailure(_:_:file:line:flags:) + 623 in libswiftCore.so
              1 [ra] 0x00007f5fe54f961f _assertionFailure(_:_:file:line:flags:) + 302 in libswiftCore.so
              2 [ra] 0x000055ef451f3783 Log.event(_:) + 12 in lesson02 at /work/netlab/Sources/LessonKit/Log.swift:33:9
              3 [ra] [async] 0x000055ef451f3783 closure #1 in main in lesson02 at /work/netlab/lessons/02-tasks/main.swift:83:25
              4 [ra] 0x000055ef451f3783 main + 1010 in lesson02 at /work/netlab/lessons/02-tasks/main.swift:12:1

            Thread 3:
              0 [ra] 0x000055ef451f3783 main + 1010 in lesson02 at /work/netlab/lessons/02-tasks/Other.swift:9:1
            """)
        let report = try #require(CrashReport.find(in: lines))
        #expect(report.summary == "Fatal error: Index out of range")
        #expect(report.location == "main.swift:83")
        #expect(report.time == lines[1].time)
    }

    @Test("Swift: fatalError and a force-unwrapped nil name their own place, with or without a backtrace")
    func swiftOwnTrap() throws {
        let unwrap = try #require(
            CrashReport.find(in: output("lesson01/main.swift:7: Fatal error: Unexpectedly found nil while unwrapping an Optional value")))
        #expect(unwrap.summary == "Fatal error: Unexpectedly found nil while unwrapping an Optional value")
        #expect(unwrap.location == "main.swift:7")
        let bare = try #require(CrashReport.find(in: output("lesson01/Proxy.swift:40: Fatal error")))
        #expect(bare.summary == "Fatal error")
        #expect(bare.location == "Proxy.swift:40")
        let precondition = try #require(CrashReport.find(in: output("lesson03/main.swift:9: Precondition failed: n > 0")))
        #expect(precondition.summary == "Precondition failed: n > 0")
        let library = try #require(CrashReport.find(in: output("NetCore/Conn.swift:9: Fatal error: closed")))
        #expect(library.location == nil)
    }

    @Test("Swift: a crash with no trap line takes the backtracer's reason")
    func swiftSignal() throws {
        let report = try #require(
            CrashReport.find(
                in: output(
                    """
                    *** Program crashed: Bad pointer dereference at 0x0000000000000008 ***
                    Thread 0 "main" crashed:
                      0 0x000055ef451f3783 main + 10 in lesson05 at /home/ada/netlab/lessons/05-sni/main.swift:20:5
                    """)))
        #expect(report.summary == "Bad pointer dereference")
        #expect(report.location == "main.swift:20")
    }

    @Test("Go: a panic with its goroutines; the runtime's frames are skipped")
    func goPanic() throws {
        let report = try #require(
            CrashReport.find(
                in: output(
                    """
                    panic: runtime error: index out of range [5] with length 3

                    goroutine 7 [running]:
                    main.handle({0x5a8e38, 0xc000012345})
                    \t/usr/local/go/src/runtime/panic.go:114 +0x1d
                    \t/home/ada/proxy/main.go:41 +0x1d
                    created by main.main in goroutine 1
                    \t/home/ada/proxy/main.go:20 +0x8b
                    exit status 2
                    """)))
        #expect(report.summary == "panic: runtime error: index out of range [5] with length 3")
        #expect(report.location == "main.go:41")
        // A line that merely starts with "panic: " is no crash without the goroutines after it.
        #expect(CrashReport.find(in: output("panic: not really\naccepted 127.0.0.1:1")) == nil)
    }

    @Test("Rust: both panic formats")
    func rustPanic() throws {
        let new = try #require(
            CrashReport.find(
                in: output(
                    """
                    thread 'main' panicked at src/main.rs:4:5:
                    index out of bounds: the len is 3 but the index is 5
                    note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
                    """)))
        #expect(new.summary == "thread 'main' panicked: index out of bounds: the len is 3 but the index is 5")
        #expect(new.location == "main.rs:4")
        // A panic ends its thread, not always the program: it counts only if the program ended.
        #expect(!new.fatal)
        let old = try #require(CrashReport.find(in: output("thread 'tokio-runtime-worker' panicked at 'boom', src/conn.rs:12:9")))
        #expect(old.summary == "thread 'tokio-runtime-worker' panicked: boom")
        #expect(old.location == "conn.rs:12")
    }

    @Test("Python: the exception line and the innermost frame of the program's own")
    func pythonTraceback() throws {
        let report = try #require(
            CrashReport.find(
                in: output(
                    """
                    Traceback (most recent call last):
                      File "/home/ada/proxy.py", line 30, in <module>
                        main()
                      File "/home/ada/proxy.py", line 12, in main
                        print([1][2])
                      File "/usr/lib/python3.11/socket.py", line 200, in accept
                    IndexError: list index out of range
                    """)))
        #expect(report.summary == "IndexError: list index out of range")
        #expect(report.location == "proxy.py:12")
        #expect(!report.fatal)
    }

    @Test("what a program wrote is escaped and bounded")
    func untrusted() throws {
        let long = String(repeating: "x", count: 5000)
        let report = try #require(CrashReport.find(in: output("main.swift:1: Fatal error: \u{1b}[2J\(long)")))
        #expect(report.summary.hasPrefix("Fatal error: \\x1b[2Jxxx"))
        #expect(report.summary.count <= CrashReport.summaryLimit + 1)
        #expect(CrashReport.find(in: output("accepted 127.0.0.1:1\nclosed 127.0.0.1:1")) == nil)
    }

    @Test("ProgramEnd in results JSON: written when present, read back, and old files without it still read")
    func json() throws {
        let end = ProgramEnd(
            how: .crashed(summary: "Fatal error: Index out of range", location: "main.swift:83"),
            time: .milliseconds(420), afterReady: true)
        let data = try JSONEncoder().encode(end)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"kind\":\"crashed\"") && text.contains("\"after_ready\":true") && text.contains("\"seconds\":0.42"))
        #expect(try JSONDecoder().decode(ProgramEnd.self, from: data) == end)
        for other in [
            ProgramEnd(how: .exited(status: 1), time: .seconds(1), afterReady: true),
            ProgramEnd(how: .killed(signal: "SIGKILL"), time: .zero, afterReady: false),
        ] {
            #expect(try JSONDecoder().decode(ProgramEnd.self, from: JSONEncoder().encode(other)) == other)
        }
        // In a results document: on a failing test only, escaped; a document without it still reads.
        var failing = CheckResult(
            name: "c", status: .fail, points: 0, maxPoints: 1, message: "m", transcript: "t", hint: nil,
            location: "checks.netlab:1:1", index: 1, duration: .zero,
            programEnd: ProgramEnd(
                how: .crashed(summary: "Fatal error: \u{1b}[2J", location: nil),
                time: .zero, afterReady: true))
        var passing = failing
        passing.status = .pass
        passing.index = 2
        failing.name = "f"
        let lesson = LessonResult(number: 1, slug: "01-echo", title: "Echo", error: nil, checks: [failing, passing])
        let document = ResultsJSON.document(for: lesson, scriptLines: [], student: nil, date: nil)
        #expect(document.tests[0].programEnd?.how == .crashed(summary: "Fatal error: \\x1b[2J", location: nil))
        #expect(document.tests[1].programEnd == nil)
        let written = String(decoding: try ResultsJSON.encode(document), as: UTF8.self)
        #expect(written.contains("\"program_end\" : {"))
        var old = document
        old.tests[0].programEnd = nil
        let oldText = String(decoding: try ResultsJSON.encode(old), as: UTF8.self)
        #expect(!oldText.contains("program_end"))
        #expect(try ResultsJSON.decodeAny(Data(oldText.utf8)).lessons == [old])
        #expect(try ResultsJSON.decodeAny(Data(written.utf8)).lessons == [document])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ProgramEnd.self, from: Data(#"{"kind":"crashed","summary":"x","seconds":1e300,"after_ready":true}"#.utf8))
        }
    }
}
