import Glibc
import Foundation
import NetTLS

/// `netbench twins`: each lesson's reference program (the release build of `solutionNN`) against
/// a Go program of the same lesson (`Benchmarks/go/twins/lessonNN.go`, standard library only,
/// written as the lesson README's Go column writes it), on the workload that lesson is about.
/// Rounds interleave the programs, so that the machine's noise falls on all of them alike; the
/// table gives medians, their min–max range, and each program's ratio to the faster Go twin.
extension Bench {
    /// One program under test: a lesson's reference or one of its Go twins.
    private struct TwinProgram {
        let name: String
        let argv: [String]
        var isGo: Bool { name.hasPrefix("Go") }
    }

    /// One workload of one lesson, and the programs that run it.
    private struct TwinWorkload {
        let lesson: Int
        let title: String
        /// Which netload run measures it: echo with N conns; proxy throughput with N streams (each
        /// opening with a ClientHello for `sink.test` when `hello`); TLS handshakes with N client
        /// threads; or one TLS conn's bulk download.
        /// Or key-value put/get with N conns (lessons 8–11), or a WebSocket room of N clients
        /// taking turns to broadcast (lesson 13).
        enum Load {
            case echo(conns: Int), proxy(streams: Int, hello: Bool), handshakes(clients: Int), tlsBulk
            case keyValue(conns: Int), fanOut(clients: Int)
        }
        let loads: [Load]
        let programs: [TwinProgram]
    }

    func twins() throws {
        let rounds = quick ? 1 : 5
        let echoSecs = quick ? 1.0 : 2.0
        let warm = quick ? 0.3 : 0.5
        let proxyBytes = quick ? 256 * MiB : 1 * GiB
        print(
            "\n== Twins: each lesson's reference program (release) against its Go twin, median of \(rounds) interleaved rounds ==")
        print(
            "echo: 64-byte ping-pong, one message in flight per conn, \(fmt(echoSecs, 1)) s after \(fmt(warm, 1)) s warm-up; "
                + "proxy: \(proxyBytes / MiB) MiB through the program to a discarding sink (netload send → program → netload sink)")
        let (sink, sinkPort) = try startServer("twins-sink", [netload, "sink", "127.0.0.1:0"])
        defer { sink.stop() }
        let upstream = "127.0.0.1:\(sinkPort)"
        // Lesson 7's upstream answers "GET /N" with N bytes; its certificate comes from DevCA.
        let (getServer, getPort) = try netcore("twins-get", ["serve-get", "127.0.0.1:0"])
        defer { getServer.stop() }
        let ca = try DevCA.create()
        let certFile = scratch + "/twins-cert.pem", keyFile = scratch + "/twins-key.pem"
        try ca.issue(names: ["localhost", "127.0.0.1"]).write(certificateTo: certFile, keyTo: keyFile)
        try Data(clientHello(serverName: "sink.test")).write(to: URL(fileURLWithPath: helloFile))

        var workloads: [TwinWorkload] = []
        func lesson(
            _ n: Int, _ title: String, _ loads: [TwinWorkload.Load], flags: [String] = [], goLesson: Int? = nil,
            go: [(String, [String])]
        ) throws {
            guard twinLessons.isEmpty || twinLessons.contains(n) else { return }
            let reference = try solutionBinary(n)
            var programs = [TwinProgram(name: "solution\(twoDigits(n)) (Swift)", argv: [reference, "--listen", "127.0.0.1:0"] + flags)]
            if let binary = try goTwin(goLesson ?? n) {
                for (name, extra) in go { programs.append(TwinProgram(name: name, argv: [binary, "-listen", "127.0.0.1:0"] + extra)) }
            }
            workloads.append(TwinWorkload(lesson: n, title: title, loads: loads, programs: programs))
        }
        try lesson(1, "echo, one conn at a time", [.echo(conns: 1)], go: [("Go io.Copy(conn, conn)", [])])
        try lesson(
            2, "echo, a task per conn", [.echo(conns: 1), .echo(conns: 100), .echo(conns: 1000)],
            go: [("Go io.Copy(conn, conn)", []), ("Go 32 KiB read/write loop", ["-loop"])])
        try lesson(
            3, "echo with idle timeouts", [.echo(conns: 1), .echo(conns: 100), .echo(conns: 1000)], flags: ["--idle-timeout", "60s"],
            go: [("Go read loop + deadlines", ["-idle-timeout", "60s"])])
        try lesson(
            4, "proxy throughput", [.proxy(streams: 1, hello: false), .proxy(streams: 8, hello: false)], flags: ["--upstream", upstream],
            go: [("Go io.Copy both ways", ["-upstream", upstream])])
        try lesson(
            6, "SNI router throughput", [.proxy(streams: 1, hello: true), .proxy(streams: 8, hello: true)],
            flags: ["--route", "sink.test=" + upstream], go: [("Go TeeReader + prefixConn + io.Copy", ["-route", "sink.test=" + upstream])])
        let tlsFlags = ["--upstream", "127.0.0.1:\(getPort)", "--cert", certFile, "--key", keyFile]
        try lesson(
            7, "TLS termination", [.handshakes(clients: 1), .handshakes(clients: 8), .tlsBulk], flags: tlsFlags,
            go: [("Go crypto/tls + io.Copy", tlsFlags.map { $0.hasPrefix("--") ? String($0.dropFirst()) : $0 })])
        // Lessons 8–11 build one server four ways; Go's goroutine per conn is the bar for each.
        for (n, how) in [(8, "a task per conn"), (9, "a thread per conn"), (10, "busy-wait"), (11, "epoll loop")] {
            try lesson(
                n, "key-value, \(how)", [.keyValue(conns: 1), .keyValue(conns: 100)], goLesson: 8,
                go: [("Go io.ReadFull on the conn", []), ("Go bufio.Reader + Writer", ["-bufio"])])
        }
        try lesson(
            13, "WebSocket chat fan-out", [.fanOut(clients: 10), .fanOut(clients: 100)], flags: ["--ping-interval", "60s"],
            go: [("Go hub + send channels", ["-ping-interval", "60s"])])

        var rows: [[String]] = []
        for workload in workloads {
            var children: [(Child, Int)] = []
            defer { for (child, _) in children { child.stop() } }
            for program in workload.programs { children.append(try startLessonProgram(program.name, program.argv)) }
            for load in workload.loads {
                // Warm-up: first allocations, TCP windows, the Go runtime's threads.
                for (child, port) in children { _ = try measureTwin(load, child: child, port: port, warmUpOnly: true) }
                var samples = [[Double]](repeating: [], count: children.count)
                var costs = [[Double]](repeating: [], count: children.count)
                for _ in 0..<rounds {
                    for (i, (child, port)) in children.enumerated() {
                        let (rate, cost) = try measureTwin(load, child: child, port: port)
                        samples[i].append(rate)
                        costs[i].append(cost)
                    }
                }
                let medians = samples.map { $0.sorted()[$0.count / 2] }
                let costMedians = costs.map { $0.sorted()[$0.count / 2] }
                let bestGo = zip(workload.programs, medians).filter { $0.0.isGo }.map(\.1).max()
                let (what, unit, costUnit): (String, String, String) =
                    switch load {
                    case .echo(let conns): ("echo, \(conns) conn\(conns == 1 ? "" : "s")", "req/s", "µs/req")
                    case .proxy(let streams, _): ("proxy, \(streams) stream\(streams == 1 ? "" : "s")", "GiB/s", "s/GiB")
                    case .handshakes(let clients): ("handshakes, \(clients) client\(clients == 1 ? "" : "s")", "hs/s", "µs/hs")
                    case .tlsBulk: ("TLS bulk, 1 conn", "MiB/s", "s/GiB")
                    case .keyValue(let conns): ("put/get, \(conns) conn\(conns == 1 ? "" : "s")", "ops/s", "µs/op")
                    case .fanOut(let clients): ("fan-out, \(clients) clients", "bc/s", "µs/bc")
                    }
                for (i, program) in workload.programs.enumerated() {
                    let digits = unit == "GiB/s" ? 2 : 0
                    let spread = samples[i]
                    rows.append([
                        "\(workload.lesson)", what, program.name, fmt(medians[i], digits) + " " + unit,
                        fmt(spread.min()!, digits) + "–" + fmt(spread.max()!, digits),
                        bestGo.map { fmt(medians[i] / $0, 2) + "×" } ?? "-",
                        fmt(costMedians[i], costUnit == "s/GiB" ? 2 : costMedians[i] < 100 ? 1 : 0) + " " + costUnit,
                    ])
                }
                if let bestGo {
                    let mine = medians[0]
                    targets.append(
                        Target(
                            name: "twins: lesson \(workload.lesson) \(what) ≥ the faster Go twin", met: mine >= bestGo,
                            detail:
                                "\(fmt(mine, unit == "GiB/s" ? 2 : 0)) vs \(fmt(bestGo, unit == "GiB/s" ? 2 : 0)) \(unit) (\(fmt(mine / bestGo, 2))×)"
                        ))
                }
            }
        }
        printTable(["lesson", "workload", "program", "median", "range", "× faster Go", "server CPU"], rows, leftColumns: 3)
        print(
            "Lesson 5 reads one ClientHello and closes (no throughput workload). Key-value: 16-byte values, one request in flight per conn (netload kv). "
                + "Fan-out: one 64-byte text at a time, counted when every client has it (netload wsfan). Lesson 12 (a forwarder to one upstream) is not twinned."
        )
        print(
            "Server CPU: the program's CPU time (its process tree, from /proc) per request, handshake or broadcast, or per GiB moved; the median of the rounds. "
                + "Lower is better. A rate at one conn waits on wake-ups that the machine's other work delays; CPU per operation does not, so on a busy machine it is the steadier column."
        )
        print(
            "Lesson 7: netload's TLS clients (TLS 1.3, TLS_AES_128_GCM_SHA256, full handshakes) through the program to a NetCore upstream that answers \"GET /N\"."
        )
    }

    /// One measurement of `load` against `child`, listening on `port`: the rate (requests/s,
    /// GiB/s, …) and the child's CPU time per operation (µs) or per GiB moved (s).
    private func measureTwin(_ load: TwinWorkload.Load, child: Child, port: Int, warmUpOnly: Bool = false) throws -> (Double, Double) {
        let cpuBefore = child.cpuSeconds
        let (rate, operations) = try measureTwinRate(load, port: port, warmUpOnly: warmUpOnly)
        let cpu = child.cpuSeconds - cpuBefore
        switch load {
        case .proxy, .tlsBulk: return (rate, cpu / max(operations, 1e-9))
        default: return (rate, cpu * 1e6 / max(operations, 1))
        }
    }

    /// One run of netload for `load`: the rate, and the operations (or GiB) the program handled
    /// during the whole run, warm-up included, since its CPU is read around the whole run.
    private func measureTwinRate(_ load: TwinWorkload.Load, port: Int, warmUpOnly: Bool) throws -> (Double, Double) {
        let address = "127.0.0.1:\(port)"
        /// A closed-loop netload mode (`MODE ADDR N SECS WARMUP SIZE`): its rate, with any errors said.
        func closedLoop(_ mode: String, _ what: String, _ n: Int, size: Int, problems: [String] = ["errors"]) throws -> (Double, Double) {
            let secs = warmUpOnly ? 0.5 : (quick ? 1.0 : 2.0)
            let warm = warmUpOnly ? 0.0 : (quick ? 0.3 : 0.5)
            let r = try self.load([mode, address, "\(n)", "\(secs)", "\(warm)", "\(size)"])
            if !warmUpOnly, problems.contains(where: { number(r, $0) > 0 }) {
                print("  ! \(what) \(address): " + problems.map { "\($0)=\(r[$0] ?? "?")" }.joined(separator: " "))
            }
            // netload counts the measured seconds only; the warm-up ran at about the same rate.
            let rate = number(r, "rps")
            return (rate, rate * (number(r, "secs") + warm))
        }
        switch load {
        case .echo(let conns):
            return try closedLoop("echo", "echo", conns, size: 64)
        case .proxy(let streams, let hello):
            let total = warmUpOnly ? 64 * MiB : (quick ? 256 * MiB : 1 * GiB)
            let r = try self.load(["send", address, "\(streams)", "\(total)"], environment: hello ? ["NETLOAD_SEND_PREFIX": helloFile] : [:])
            if !warmUpOnly, number(r, "errors") > 0 || number(r, "bytes") < Double(total) {
                print("  ! proxy \(address): errors=\(r["errors"] ?? "?") bytes=\(r["bytes"] ?? "?")")
            }
            let gib = number(r, "bytes") / Double(GiB)
            return (gib / number(r, "secs"), gib)
        case .handshakes(let clients):
            let r = try self.load(["tlshs", address, "\(clients)", warmUpOnly ? "0.5" : (quick ? "1.5" : "2.0")])
            if !warmUpOnly, number(r, "errors") > 0 { print("  ! handshakes \(address): errors=\(r["errors"] ?? "?")") }
            return (number(r, "rate"), number(r, "hs"))
        case .keyValue(let conns):
            return try closedLoop("kv", "key-value", conns, size: 16, problems: ["errors", "notok"])
        case .fanOut(let clients):
            return try closedLoop("wsfan", "fan-out", clients, size: 64)
        case .tlsBulk:
            let total = warmUpOnly ? 64 * MiB : (quick ? 128 * MiB : 1 * GiB)
            let r = try self.load(["tlsbulk", address, "\(total)"])
            if !warmUpOnly, number(r, "errors") > 0 { print("  ! TLS bulk \(address): errors=\(r["errors"] ?? "?")") }
            let bytes = number(r, "bytes")
            return (bytes / number(r, "secs") / Double(MiB), bytes / Double(GiB))
        }
    }

    /// Where lesson 6's loads find the ClientHello they send first.
    private var helloFile: String { scratch + "/twins-hello.bin" }

    /// A TLS 1.3-shaped ClientHello record asking for `serverName`: what lesson 6's routers read
    /// before they proxy (they do not terminate TLS, so nothing else of TLS is needed).
    private func clientHello(serverName: String) -> [UInt8] {
        func u16(_ n: Int) -> [UInt8] { [UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] }
        let name = Array(serverName.utf8)
        let entry = [0] + u16(name.count) + name  // host_name
        let serverNameExtension = u16(0) + u16(entry.count + 2) + u16(entry.count) + entry
        var body: [UInt8] = [3, 3] + [UInt8](repeating: 7, count: 32)  // legacy_version, random
        body += [0]  // no session id
        body += u16(2) + [0x13, 0x01]  // TLS_AES_128_GCM_SHA256
        body += [1, 0]  // null compression
        body += u16(serverNameExtension.count) + serverNameExtension
        let handshake = [1, 0] + u16(body.count) + body  // ClientHello, 24-bit length
        return [22, 3, 1] + u16(handshake.count) + handshake
    }

    /// Starts a lesson program (or a Go twin), which prints `netlab: listening on HOST:PORT`.
    func startLessonProgram(_ name: String, _ argv: [String]) throws -> (Child, Int) {
        let child = try Child(argv, name: "twin-" + name, bound: bound)
        while let line = child.readLine() {
            if line.hasPrefix("netlab: listening on "), let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                return (child, port)
            }
        }
        child.stop()
        throw BenchError("\(name) did not print its listening line (see /tmp/netbench-\(getpid())-twin*.log)")
    }

    /// The release build of `solutionNN`, brought up to date first: a binary left from before a
    /// change to NetCore would measure the old code under the new name. SwiftPM's check of a
    /// build that is current takes about a second.
    func solutionBinary(_ lesson: Int) throws -> String {
        let product = "solution\(twoDigits(lesson))"
        let path = URL(fileURLWithPath: netbench).deletingLastPathComponent().path + "/" + product
        guard runQuietly(["swift", "build", "-c", "release", "--product", product], cwd: packageRoot), access(path, X_OK) == 0 else {
            throw BenchError("could not build \(product); run: swift build -c release --product \(product)")
        }
        return path
    }

    /// The Go twin of `lesson`, built from Benchmarks/go/twins/lessonNN.go; nil without Go.
    func goTwin(_ lesson: Int) throws -> String? {
        guard which("go") != nil else { return nil }
        let name = "lesson\(twoDigits(lesson))"
        let out = packageRoot + "/.build/netbench-go/twins"
        try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let path = "\(out)/\(name)"
        guard runQuietly(["go", "build", "-o", path, "\(packageRoot)/Benchmarks/go/twins/\(name).go"], cwd: out) else {
            print("go: could not build Benchmarks/go/twins/\(name).go, lesson \(lesson) has no Go twin in this run")
            return nil
        }
        return path
    }

    private func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
