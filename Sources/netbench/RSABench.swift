import Foundation
import Glibc

/// RSA-2048 handshakes, where Go is not the bar: nginx, on the same OpenSSL, is. Lesson 7's
/// reference program (a TLS-terminating proxy on NetTLS) against nginx's stream module doing the
/// same job (TLS in front, the bytes to an upstream), both to the same NetCore upstream that
/// answers "GET /N"; beside them NetTLS, Go crypto/tls and openssl s_server answering directly.
extension Bench {
    // MARK: 6. RSA and nginx

    func rsa() throws {
        let secs = quick ? 1.5 : 2.0
        let runs = quick ? 1 : 3
        print("\n== 6. TLS 1.3 with an RSA-2048 certificate: lesson 7's proxy against nginx (stream module) ==")
        guard let nginx = which("nginx") else {
            print("nginx is not installed (Debian: apt-get install nginx libnginx-mod-stream): no RSA comparison in this run")
            return
        }
        let certFile = scratch + "/rsa-cert.pem", keyFile = scratch + "/rsa-key.pem"
        guard
            runQuietly(
                [
                    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                ], cwd: scratch)
        else { throw BenchError("openssl could not make an RSA-2048 certificate") }
        // nginx's workers run as nobody: they must read the key.
        chmod(certFile, 0o644)
        chmod(keyFile, 0o644)
        chmod(scratch, 0o755)

        let (upstream, upstreamPort) = try netcore("rsa-get", ["serve-get", "127.0.0.1:0"])
        defer { upstream.stop() }
        let upstreamAddress = "127.0.0.1:\(upstreamPort)"
        var servers: [(String, Child, Int)] = []
        defer { for (name, child, _) in servers { name.hasPrefix("nginx") ? stopNginx(child) : child.stop() } }
        servers.append(
            try {
                let (child, port) = try startLessonProgram(
                    "rsa-solution07",
                    [try solutionBinary(7), "--listen", "127.0.0.1:0", "--upstream", upstreamAddress, "--cert", certFile, "--key", keyFile])
                return ("solution07 (NetTLS proxy)", child, port)
            }())
        let nginxPort = freePort()
        let conf = scratch + "/nginx.conf"
        try nginxConfig(port: nginxPort, upstream: upstreamAddress, cert: certFile, key: keyFile).write(
            toFile: conf, atomically: true, encoding: .utf8)
        let nginxChild = try Child([nginx, "-c", conf, "-p", scratch], name: "nginx", bound: bound, captureStdout: false)
        servers.append(("nginx stream (proxy)", nginxChild, nginxPort))
        guard waitUntilListening(nginxPort) else { throw BenchError("nginx did not start (see /tmp/netbench-\(getpid())-nginx.log)") }
        let (direct, directPort) = try netcore("rsa-netcore", ["serve-tls", "127.0.0.1:0", certFile, keyFile])
        servers.append(("NetTLS serve (direct)", direct, directPort))
        if let go = goBinaries["tlsserver"] {
            let (child, port) = try startServer("rsa-go", [go, "127.0.0.1:0", certFile, keyFile])
            servers.append(("Go crypto/tls (direct)", child, port))
        }
        print(
            "Client: netload, full handshakes (no tickets), \"GET /1\", read to EOF; nginx: \(nginxWorkers) worker processes, ssl_session_cache off, tickets off."
        )
        var rows: [[String]] = []
        var rates: [String: Double] = [:]
        for clients in [1, 8] {
            let results = try handshakeMedians(servers, clients: clients, runs: runs, secs: secs)
            let nginxRate = results[1].rate
            for r in results {
                rates["\(r.name)/\(clients)"] = r.rate
                rows.append([
                    r.name, "\(clients)", fmt(r.rate, 0), fmt(r.rate / nginxRate, 2) + "×", pct(r.serverCPU),
                    fmt(r.serverCPU / r.rate * 1e6, 0), pct(r.loadCPU), "\(r.errors)", r.proto,
                ])
            }
        }
        print("Handshakes per second (median of \(runs) interleaved rounds of \(fmt(secs, 1)) s):")
        printTable(["server", "clients", "handshakes/s", "× nginx", "server CPU", "CPU µs/hs", "load CPU", "errors", "negotiated"], rows)
        print("server CPU counts the program's process and its children (nginx: the master and its workers), not the upstream.")
        for clients in [1, 8] {
            let mine = rates["solution07 (NetTLS proxy)/\(clients)"] ?? 0, theirs = rates["nginx stream (proxy)/\(clients)"] ?? 0
            targets.append(
                Target(
                    name: "RSA-2048 handshakes/s, \(clients) client(s): lesson 7's proxy ≥ nginx", met: mine >= theirs,
                    detail: "\(fmt(mine, 0)) vs \(fmt(theirs, 0))/s (\(fmt(mine / max(theirs, 1), 2))×)"))
        }
    }

    /// Stops nginx the way it wants: SIGTERM to the master, which ends its workers and then
    /// itself (a SIGKILL would leave the workers running, holding the port and netbench's log).
    func stopNginx(_ child: Child) {
        kill(child.pid, SIGTERM)
        let deadline = now() + 5
        while now() < deadline, kill(child.pid, 0) == 0 { usleep(20_000) }
        child.stop()
    }

    /// nginx's worker processes: one per core, as `worker_processes auto` gives.
    var nginxWorkers: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// TLS termination in front of `upstream`, in the foreground, logging to stderr only.
    func nginxConfig(port: Int, upstream: String, cert: String, key: String) -> String {
        """
        load_module /usr/lib/nginx/modules/ngx_stream_module.so;
        daemon off;
        worker_processes \(nginxWorkers);
        pid \(scratch)/nginx.pid;
        error_log stderr warn;
        events { worker_connections 4096; }
        stream {
            server {
                listen 127.0.0.1:\(port) ssl;
                ssl_certificate \(cert);
                ssl_certificate_key \(key);
                ssl_protocols TLSv1.3;
                ssl_session_cache off;
                ssl_session_tickets off;
                proxy_pass \(upstream);
            }
        }

        """
    }
}
