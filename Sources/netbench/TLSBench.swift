import Glibc
import Foundation
import NetCore
import NetTLS

/// TLS handshakes and bulk transfer against Go and openssl s_server.
extension Bench {
    // MARK: 5. TLS

    func tls() throws {
        let secs = quick ? 1.5 : 2.0
        let bulk = quick ? 128 * MiB : 1 * GiB
        let runs = quick ? 1 : 3
        print("\n== 5. TLS 1.3 (ECDSA P-256 certificate from DevCA, X25519, TLS_AES_128_GCM_SHA256) ==")
        let ca = try DevCA.create()
        let leaf = try ca.issue(names: ["localhost", "127.0.0.1"])
        let certFile = scratch + "/cert.pem", keyFile = scratch + "/key.pem"
        try leaf.write(certificateTo: certFile, keyTo: keyFile)
        // s_server -WWW serves files from its directory: "1" for handshakes, a sparse file for bulk.
        let www = scratch + "/www"
        try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: www + "/1", contents: Data("x".utf8))
        let bulkFile = www + "/\(bulk)"
        _ = FileManager.default.createFile(atPath: bulkFile, contents: nil)
        truncate(bulkFile, off_t(bulk))

        var servers: [(String, Child, Int)] = []
        defer { for (_, child, _) in servers { child.stop() } }
        let (nc, ncPort) = try netcore("tls-netcore", ["serve-tls", "127.0.0.1:0", certFile, keyFile])
        servers.append(("NetTLS (NetCore serve)", nc, ncPort))
        let sslPort = freePort()
        let ssl = try Child(
            [
                "openssl", "s_server", "-accept", "127.0.0.1:\(sslPort)", "-cert", certFile, "-key", keyFile,
                "-WWW", "-quiet",
            ], name: "s_server", bound: bound, cwd: www, captureStdout: false)
        servers.append(("openssl s_server -WWW", ssl, sslPort))
        guard waitUntilListening(sslPort) else { throw BenchError("openssl s_server did not start") }
        if let go = goBinaries["tlsserver"] {
            let (child, port) = try startServer("go-tls", [go, "127.0.0.1:0", certFile, keyFile])
            servers.append(("Go crypto/tls", child, port))
        }
        print("Client: netload (C, OpenSSL), one blocking thread per client: full handshake (no tickets), \"GET /1\", read to EOF.")
        var hsRows: [[String]] = []
        var hsRate: [String: Double] = [:]
        for clients in [1, 8] {
            let results = try handshakeMedians(servers, clients: clients, runs: runs, secs: secs)
            for r in results { hsRate["\(r.name)/\(clients)"] = r.rate }
            let sslRate = results[1].rate
            let go = results.first { $0.name.hasPrefix("Go") }?.rate
            for r in results {
                hsRows.append([
                    r.name, "\(clients)", fmt(r.rate, 0), fmt(r.rate / sslRate, 2) + "×", go.map { fmt(r.rate / $0, 2) + "×" } ?? "-",
                    pct(r.serverCPU), fmt(r.serverCPU / r.rate * 1e6, 0), pct(r.loadCPU), "\(r.errors)", r.proto,
                ])
            }
        }
        print("Handshakes per second (median of \(runs) interleaved rounds of \(fmt(secs, 1)) s):")
        printTable(
            ["server", "clients", "handshakes/s", "× s_server", "× Go", "server CPU", "CPU µs/hs", "load CPU", "errors", "negotiated"], hsRows)

        var bulkRows: [[String]] = []
        var bulkRate: [String: Double] = [:]
        var bulkSamples = [[(Double, Double, Double)]](repeating: [], count: servers.count)
        for _ in 0..<runs {
            for (i, (name, child, port)) in servers.enumerated() {
                let c0 = child.cpuSeconds
                let r = try load(["tlsbulk", "127.0.0.1:\(port)", "\(bulk)"])
                let secs = number(r, "secs")
                if number(r, "errors") > 0 { print("  ! \(name): bulk read only \(r["bytes"] ?? "?") bytes") }
                bulkSamples[i].append((number(r, "bytes") / secs / Double(MiB), (child.cpuSeconds - c0) / secs, number(r, "cpu") / secs))
            }
        }
        for (i, (name, _, _)) in servers.enumerated() {
            let m = bulkSamples[i].sorted { $0.0 < $1.0 }[bulkSamples[i].count / 2]
            bulkRate[name] = m.0
            bulkRows.append([name, fmt(m.0, 0), "", "", pct(m.1), fmt(m.1 / m.0 * 1024, 2), pct(m.2)])
        }
        let sslBulk = bulkRate["openssl s_server -WWW"] ?? 0
        let goBulk = bulkRate["Go crypto/tls"]
        for i in bulkRows.indices {
            let value = bulkRate[bulkRows[i][0]] ?? 0
            bulkRows[i][2] = fmt(value / sslBulk, 2) + "×"
            bulkRows[i][3] = goBulk.map { fmt(value / $0, 2) + "×" } ?? "-"
        }
        print("Bulk: one connection, \"GET /\(bulk)\", server → client, median of \(runs):")
        printTable(["server", "MiB/s", "× s_server", "× Go", "server CPU", "CPU s/GiB", "load CPU"], bulkRows)
        print("Load check: a TLS client does as much work per handshake as the server (key exchange, and a signature")
        print("verify against the server's sign), so on 2 cores client and server share the CPU: compare the CPU µs/hs")
        print("column (server cost per handshake) as well as handshakes/s. In bulk, the client decrypts what the server encrypts.")

        let mine1 = hsRate["NetTLS (NetCore serve)/1"] ?? 0, mine8 = hsRate["NetTLS (NetCore serve)/8"] ?? 0
        for (clients, mine, reference) in [(1, mine1, 1100.0), (8, mine8, 2450.0)] {
            if let go = hsRate["Go crypto/tls/\(clients)"] {
                targets.append(
                    Target(
                        name: "TLS handshakes/s, \(clients) client(s) ≥ Go", met: mine >= go,
                        detail: "\(fmt(mine, 0)) vs \(fmt(go, 0))/s (\(fmt(mine / go, 2))×)"))
            } else {
                targets.append(
                    Target(
                        name: "TLS handshakes/s, \(clients) client(s) ≥ Go (earlier ~\(Int(reference))/s)", met: mine >= reference,
                        detail: "\(fmt(mine, 0))/s vs the earlier Go figure, not measured in this run"))
            }
            let ssl = hsRate["openssl s_server -WWW/\(clients)"] ?? 0
            targets.append(
                Target(
                    name: "TLS handshakes/s, \(clients) client(s) ≥ 0.8× s_server", met: mine >= 0.8 * ssl,
                    detail: "\(fmt(mine, 0)) vs \(fmt(ssl, 0))/s (\(fmt(mine / ssl, 2))×)"))
        }
        let mineBulk = bulkRate["NetTLS (NetCore serve)"] ?? 0
        targets.append(
            Target(
                name: "TLS bulk ≥ 0.8× s_server", met: mineBulk >= 0.8 * sslBulk,
                detail: "\(fmt(mineBulk, 0)) vs \(fmt(sslBulk, 0)) MiB/s (\(fmt(mineBulk / sslBulk, 2))×)"))
    }

    /// One server's handshake figures: the medians of its rounds (errors summed).
    struct HandshakeMedian {
        var name: String
        var rate: Double
        var serverCPU: Double
        var loadCPU: Double
        var errors: Int
        var proto: String
    }

    /// Full TLS handshakes per second (netload `tlshs`, `clients` blocking threads, `secs` each)
    /// against every server, `runs` rounds interleaved; the medians, in `servers`' order.
    func handshakeMedians(_ servers: [(String, Child, Int)], clients: Int, runs: Int, secs: Double) throws -> [HandshakeMedian] {
        var samples = [[HandshakeMedian]](repeating: [], count: servers.count)
        for _ in 0..<runs {
            for (i, (name, child, port)) in servers.enumerated() {
                let c0 = child.cpuSeconds
                let r = try load(["tlshs", "127.0.0.1:\(port)", "\(clients)", "\(secs)"])
                let elapsed = number(r, "secs")
                samples[i].append(
                    HandshakeMedian(
                        name: name, rate: number(r, "rate"), serverCPU: (child.cpuSeconds - c0) / elapsed, loadCPU: number(r, "cpu") / elapsed,
                        errors: Int(number(r, "errors")), proto: r["proto"] ?? "?"))
            }
        }
        return samples.map { rounds in
            var median = rounds.sorted { $0.rate < $1.rate }[rounds.count / 2]
            median.errors = rounds.reduce(0) { $0 + $1.errors }
            return median
        }
    }
}
