@testable import Bench
import Foundation
import Glibc
@testable import NetlabCommandLine
@testable import ProcessSupervision
import Testing
@testable import Workbook

/// `netlab bench`: its command line, the workload of each lesson, a real (tiny) bench, and Ctrl-C.
@Suite("bench: the command")
struct BenchCommandTests {
    func parse(_ line: String) throws -> BenchCommand {
        guard case .run(let command) = try NetlabCommands.parse(line.split(separator: " ").map(String.init)),
            let bench = command as? BenchCommand
        else { throw UsageError("`\(line)` is not a bench", command: nil) }
        return bench
    }

    func usageError(_ line: String) -> String? {
        do { _ = try NetlabCommands.parse(line.split(separator: " ").map(String.init)); return nil } catch { return error.message }
    }

    @Test func readsItsOptions() throws {
        let c = try parse("bench 2 --rounds 5 --duration 500ms --conns 1,10 --json b.json")
        #expect(c.lessons == [2] && c.rounds == 5 && c.duration == 0.5 && c.conns == [1, 10] && c.json == "b.json")
        #expect(try parse("bench 4 --duration 2s").duration == 2)
        #expect(try parse("bench 4 --duration 1.5").duration == 1.5)
        #expect(try parse("bench 4").rounds == 3)
        #expect(try parse("bench 4 --cmd ./proxy").cmd?.words == ["./proxy"])
        let compare = try parse("bench --compare --solutions")
        #expect(compare.compare && compare.solutions && compare.lessons == [9, 10, 11, 8])
        #expect(try parse("bench --compare 11 9").lessons == [11, 9])
        #expect(try parse("bench --solutions").compare)  // --solutions asks for --compare
    }

    @Test func refusesWrongCommandLines() {
        #expect(usageError("bench 2 4")?.contains("one lesson at a time") == true)
        #expect(usageError("bench 2 --rounds 0")?.contains("--rounds takes a whole number from 1 to 20, not `0`") == true)
        #expect(usageError("bench 2 --rounds many") != nil)
        #expect(usageError("bench 2 --duration 5m")?.contains("--duration takes a time from 100ms to 60s") == true)
        #expect(usageError("bench 2 --duration 0s") != nil)
        #expect(usageError("bench 2 --conns 1,,3")?.contains("`` is not one") == true)
        #expect(usageError("bench 2 --conns 0") != nil)
        #expect(usageError("bench 2 --conns 20000") != nil)
        #expect(usageError("bench --compare --cmd ./x")?.contains("not with --compare") == true)
        #expect(usageError("bench 2 --cmd 'unclosed") != nil)
    }

    @Test func eachLessonGetsItsWorkload() throws {
        #expect(Workloads.forLesson(1)?.name == "echo")
        #expect(
            Workloads.forLesson(2)?.scenarios(connections: nil).map(\.load) == [
                .echo(connections: 1), .echo(connections: 100), .echo(connections: 1000),
            ])
        #expect(Workloads.forLesson(3)?.serverFlags(upstream: nil, certificate: nil) == ["--idle-timeout", "60s"])
        let proxy = try #require(Workloads.forLesson(4))
        #expect(proxy.upstream == .sink)
        #expect(proxy.serverFlags(upstream: "127.0.0.1:9", certificate: nil) == ["--upstream", "127.0.0.1:9"])
        #expect(proxy.scenarios(connections: nil).map(\.load) == [.proxy(streams: 1), .proxy(streams: 8)])
        let tls = try #require(Workloads.forLesson(7))
        #expect(tls.upstream == .echo && tls.needsCertificate)
        #expect(tls.serverFlags(upstream: "u", certificate: ("c", "k")) == ["--upstream", "u", "--cert", "c", "--key", "k"])
        for lesson in 8...11 {
            let kv = try #require(Workloads.forLesson(lesson))
            #expect(kv.name == "kv")
            #expect(kv.scenarios(connections: [5]).map(\.load) == [.keyValue(connections: 5), .idle(connections: 1000)])
        }
        let fanOut = try #require(Workloads.forLesson(13))
        #expect(fanOut.name == "fanout" && fanOut.upstream == .none)
        #expect(fanOut.serverFlags(upstream: nil, certificate: nil) == ["--ping-interval", "60s"])
        #expect(
            fanOut.scenarios(connections: nil).map(\.load) == [
                .fanOut(clients: 10, silent: 0), .fanOut(clients: 100, silent: 0), .fanOut(clients: 10, silent: 1),
            ])
        #expect(fanOut.scenarios(connections: [3]).map(\.unit) == [.broadcasts, .broadcasts])
        #expect(
            Netload.arguments(.fanOut(clients: 10, silent: 0), address: "a:1", seconds: 2, warmup: 0.5)
                == ["wsfan", "a:1", "10", "2.000", "0.500", "64"])
        #expect(
            Netload.arguments(.fanOut(clients: 10, silent: 1), address: "a:1", seconds: 2, warmup: 0.5)
                == ["wsfan", "a:1", "10", "2.000", "0.500", "1024", "1"])
        let lines = try #require(Workloads.forLesson(12))
        #expect(lines.name == "lines" && lines.upstream == .sink)
        #expect(lines.serverFlags(upstream: "127.0.0.1:9", certificate: nil) == ["--upstream", "127.0.0.1:9"])
        #expect(lines.scenarios(connections: nil).map(\.load) == [.lines(streams: 1), .lines(streams: 8)])
        #expect(
            Netload.arguments(.lines(streams: 8), address: "a:1", seconds: 2, warmup: 0) == ["send", "a:1", "8", String(1 << 40), "2.000", "4096"])
        let routed = try #require(Workloads.forLesson(6))
        #expect(routed.upstream == .sink && !routed.needsCertificate)
        #expect(routed.serverFlags(upstream: "127.0.0.1:9", certificate: nil) == ["--route", "bench.test=127.0.0.1:9"])
        #expect(routed.scenarios(connections: nil).map(\.load) == [.routed(streams: 1), .routed(streams: 8)])
        // The hello every stream opens with names the route, and is a handshake record.
        let hello = try #require(try Netload.prefixFile(for: .routed(streams: 1)))
        defer { try? FileManager.default.removeItem(at: hello) }
        let bytes = try [UInt8](Data(contentsOf: hello))
        #expect(bytes == RoutedProxyWorkload.hello && bytes.first == 22)
        #expect(String(decoding: bytes, as: UTF8.self).contains("bench.test"))
        #expect(try Netload.prefixFile(for: .proxy(streams: 1)) == nil)
        #expect(Workloads.forLesson(5) == nil && Workloads.forLesson(14) == nil)
        #expect(Workloads.missingMessage(lesson: 5).hasPrefix("no workload for lesson 5: its program reads one ClientHello"))
        #expect(Workloads.missingMessage(lesson: 5).hasSuffix("lessons 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13 have one"))
    }

    /// A workbook whose "build" is a fake swift that points at a folder where lesson01 and
    /// solution01 are netlab-testserver (an echo server): a real bench, without SwiftPM.
    func benchWorkbook() throws -> (TempWorkbook, [String: String]) {
        let wb = try TempWorkbook()
        let bin = wb.url(".bench-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let server = try builtProduct("netlab-testserver")
        for name in ["lesson01", "solution01"] {
            try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(name).path, withDestinationPath: server)
        }
        try writeExecutable(
            "#!/bin/sh\nif [ \"$2\" = \"--show-bin-path\" ]; then echo \(bin.path); fi\nexit 0\n", to: wb.url(".fake-swift").path)
        return (wb, ["NETLAB_SWIFT": wb.url(".fake-swift").path, "NETLAB_NETLOAD": try builtProduct("netload")])
    }

    @Test("a tiny real bench: both programs measured, the table, and every number in the JSON")
    func aTinyBench() async throws {
        let (wb, environment) = try benchWorkbook()
        defer { wb.cleanup() }
        let netlab = try startNetlab(
            ["bench", "1", "--rounds", "1", "--duration", "200ms", "--conns", "2", "--json", "bench.json"], in: wb.root,
            environment: environment)
        defer { if netlab.isRunning { kill(netlab.processIdentifier, SIGKILL) } }
        #expect(await waitForExit(netlab, within: .seconds(60)))
        let output = wb.read(".netlab-test-output") ?? ""
        #expect(netlab.terminationStatus == 0, "\(output)")
        #expect(output.contains("lesson 1 · echo ping-pong"), "\(output)")
        #expect(output.contains("  reference") && output.contains("  yours"), "\(output)")
        #expect(output.contains("load generator: netload used at most"), "\(output)")
        let data = try #require(wb.read("bench.json")?.data(using: .utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let scenarios = try #require(object["scenarios"] as? [[String: Any]])
        #expect(scenarios.count == 1)
        let results = try #require(scenarios[0]["results"] as? [[String: Any]])
        for result in results {
            let summary = try #require(result["summary"] as? [String: Any])
            #expect(summary["rounds"] as? Int == 1, "\(result)")
            #expect((summary["rate"] as? Double ?? 0) > 0, "\(result)")
        }
    }

    @Test("without a lesson: a usage error that names the lessons with a workload")
    func withoutALesson() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let result = await runCLI(["bench"], in: wb.root)
        #expect(result.status == 2)
        #expect(
            result.err.contains("which lesson? `netlab bench N` (lessons 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13 have a workload)"), "\(result.err)")
    }

    @Test("lesson 5 has no workload: one clear line naming the lessons that have one")
    func aLessonWithoutAWorkload() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try FileManager.default.copyItem(at: wb.url("lessons/01-echo"), to: wb.url("lessons/05-sni"))
        let result = await runCLI(["bench", "5"], in: wb.root)
        #expect(result.status == 1)
        #expect(result.err.contains("no workload for lesson 5"), "\(result.err)")
    }

    @Test("Ctrl-C during a bench stops every program and load generator it started, and netlab exits with 130")
    func interruptStopsEverything() async throws {
        let (wb, environment) = try benchWorkbook()
        defer { wb.cleanup() }
        let netlab = try startNetlab(["bench", "1", "--rounds", "3", "--duration", "10s"], in: wb.root, environment: environment)
        defer { if netlab.isRunning { kill(netlab.processIdentifier, SIGKILL) } }
        // Wait until the load runs against a program: both are netlab's descendants then. The
        // builds and starts come first, slow on a busy machine (30 s was not enough in CI).
        let load = await waitForDescendant(of: netlab.processIdentifier, within: .seconds(120)) {
            $0.first?.hasSuffix("netload") == true && $0.contains("echo")
        }
        #expect(load != nil, "\(wb.read(".netlab-test-output") ?? "")")
        let table = ProcessTree.table()
        let started = ProcessTree.descendants(of: [netlab.processIdentifier], in: table).filter { pid in
            let words = commandLine(of: pid)
            let ours = words.first.map { $0.hasSuffix("netload") || $0.contains(".bench-bin/") } ?? false
            return ours && table[pid].map { !$0.isZombie } == true
        }
        #expect(started.count >= 2, "the program and netload: \(started)")
        kill(netlab.processIdentifier, SIGINT)
        #expect(await waitForExit(netlab, within: .seconds(10)))
        #expect(netlab.terminationStatus == 130)
        for pid in started {
            #expect(await processIsGone(pid, within: .seconds(3)), "\(commandLine(of: pid)) outlived netlab")
            if ProcessTree.entry(pid).map({ !$0.isZombie }) == true { kill(pid, SIGKILL) }
        }
    }
}
