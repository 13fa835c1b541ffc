import Glibc
import Foundation
import NetCore
import NetTLS

/// Proxy throughput: splice against a read/write loop against Go's io.Copy, through a
/// netlab-owned upstream.
extension Bench {
    // MARK: 1. Proxy throughput

    func proxy() throws {
        // Five rounds of 1 GiB rather than three of 2: the same bytes, and a median that one
        // slow spell of a shared machine cannot move (a splice round ranges over ±30%).
        let total = quick ? 256 * MiB : 1 * GiB
        let runs = quick ? 1 : 5
        print("\n== 1. Proxy throughput on loopback: \(total / MiB) MiB per measurement, median of \(runs) ==")
        print("client (netload send) → [proxy] → sink (netload sink); each direction half-closed at its end;")
        print(
            "the sink discards with recv(MSG_TRUNC), copying nothing, so the load leaves the proxies as much CPU as it can"
                + (Env.get("NETLOAD_SINK_READ") != nil ? " (NETLOAD_SINK_READ is set: this run's sink reads instead)" : ""))
        let (sink, sinkPort) = try startServer("sink", [netload, "sink", "127.0.0.1:0"])
        defer { sink.stop() }
        let target = "127.0.0.1:\(sinkPort)"
        var servers: [(String, Child?, Int)] = [("direct (no proxy)", nil, sinkPort)]
        defer { for (_, child, _) in servers { child?.stop() } }
        let (splice, splicePort) = try netcore("proxy-splice", ["serve-proxy", "127.0.0.1:0", target, "splice"])
        servers.append(("NetCore copy (splice)", splice, splicePort))
        let (rw, rwPort) = try netcore("proxy-rw", ["serve-proxy", "127.0.0.1:0", target, "rw"])
        servers.append(("NetCore read/write 32K", rw, rwPort))
        if let go = goBinaries["proxy"] {
            let (child, port) = try startServer("go-proxy", [go, "127.0.0.1:0", target])
            servers.append(("Go io.Copy", child, port))
        }
        var rows: [[String]] = []
        var rate: [String: Double] = [:]
        for streams in [1, 8] {
            // Warm-up: pipes, TCP window growth, first allocations.
            for (_, _, port) in servers { _ = try load(["send", "127.0.0.1:\(port)", "\(streams)", "\(64 * MiB)"]) }
            // Rounds interleave the servers, so background noise on the machine falls on all of them.
            var samples = [[(Double, Double, Double)]](repeating: [], count: servers.count)  // GiB/s, server CPU, load CPU
            for _ in 0..<runs {
                for (i, (name, child, port)) in servers.enumerated() {
                    let server0 = child?.cpuSeconds ?? 0, sink0 = sink.cpuSeconds
                    let r = try load(["send", "127.0.0.1:\(port)", "\(streams)", "\(total)"])
                    let secs = number(r, "secs")
                    let serverCPU = ((child?.cpuSeconds ?? 0) - server0) / secs
                    let loadCPU = (number(r, "cpu") + sink.cpuSeconds - sink0) / secs
                    if number(r, "errors") > 0 || number(r, "bytes") < Double(total) {
                        print("  ! \(name): errors=\(r["errors"] ?? "?") bytes=\(r["bytes"] ?? "?")")
                    }
                    samples[i].append((number(r, "bytes") / secs / Double(GiB), serverCPU, loadCPU))
                }
            }
            let medians = samples.map { $0.sorted { $0.0 < $1.0 }[$0.count / 2] }
            let direct = medians[0].0
            for (i, (name, child, _)) in servers.enumerated() {
                let median = medians[i]
                rate["\(name)/\(streams)"] = median.0
                let spread = samples[i].map(\.0)
                rows.append([
                    name, "\(streams)", fmt(median.0, 2), fmt(spread.min()!, 2) + "–" + fmt(spread.max()!, 2),
                    fmt(median.0 / direct, 2) + "×", child == nil ? "-" : pct(median.1),
                    child == nil ? "-" : fmt(median.1 / median.0, 2), pct(median.2),
                ])
            }
        }
        printTable(["server", "streams", "GiB/s", "range", "× direct", "server CPU", "CPU s/GiB", "load CPU"], rows)
        print("load CPU = netload send + netload sink, in cores; the direct rows show how far the load itself goes.")
        for streams in [1, 8] {
            let direct = rate["direct (no proxy)/\(streams)"] ?? 0
            let best = rate.filter { $0.key.hasSuffix("/\(streams)") && !$0.key.hasPrefix("direct") }.values.max() ?? 0
            let verdict =
                direct >= 1.1 * best
                ? "so the load alone is not what limits the proxies (it still shares the CPUs with them: see load CPU)."
                : "so here the load itself is at its limit: the fastest proxies may be faster than measured, and only their ratios to the slower ones say much."
            print(
                "Load check, \(streams) stream(s): the same client and sink without a proxy move \(fmt(direct, 2)) GiB/s, "
                    + "\(fmt(direct / best, 2))× the fastest proxy, " + verdict)
        }
        for streams in [1, 8] {
            let splice = rate["NetCore copy (splice)/\(streams)"] ?? 0
            let rw = rate["NetCore read/write 32K/\(streams)"] ?? 0
            let direct = rate["direct (no proxy)/\(streams)"] ?? 0
            if let go = rate["Go io.Copy/\(streams)"] {
                targets.append(
                    Target(
                        name: "proxy \(streams) stream(s) ≥ Go io.Copy proxy", met: splice >= go,
                        detail: "\(fmt(splice, 2)) vs \(fmt(go, 2)) GiB/s (\(fmt(splice / go, 2))×)"))
            } else {
                let reference = streams == 1 ? 0.58 : 0.88
                targets.append(
                    Target(
                        name: "proxy \(streams) stream(s) ≥ Go io.Copy proxy", met: nil,
                        detail: "Go not measured; NetCore \(fmt(splice / direct, 2))× direct vs earlier Go \(reference)× direct"))
            }
            targets.append(
                Target(
                    name: "proxy \(streams) stream(s) ≥ 1.3× read/write loop", met: splice >= 1.3 * rw,
                    detail: "\(fmt(splice, 2)) vs \(fmt(rw, 2)) GiB/s (\(fmt(splice / rw, 2))×)"))
        }
    }
}
