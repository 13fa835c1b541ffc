// netlab-testserver: a lesson-shaped program whose behaviour is chosen with --mode, for the tests
// of LessonKit and of the check runner. Some modes are deliberately broken.
#if canImport(Glibc)
import Glibc
#endif
import LessonKit
import NetCore
import NetTLS

let flags: [Flag] = [
    Flag(
        "mode", .text,
        help: "echo|upper|silent|close|reset|slow|flood|noready|exit|crash|trap|quit|print|halfhello|leak|binbad|proxy|stall|tls|session|graceful"),
    Flag(
        "detach", .text,
        help:
            "orphan|child|brief|bare: start a child that calls setsid and sleeps (orphan: its parent exits at once; brief: an orphan that exits after 200ms; bare: an orphan with an empty environment)"
    ),
    Flag("announce", .address, help: "name this address in the ready line instead of the real one"),
    Flag("delay", .duration, help: "pause used by slow and crash"),
    Flag("upstream", .address, help: "where proxy forwards"),
    Flag("flood", .integer, help: "bytes of stderr written by flood"),
    .idleTimeout,
    .cert,
    .key,
    Flag("verbose", .toggle, help: "log every read"),
    Flag("quiet-close", .toggle, help: "do not log closed connections"),
    Flag("pipe-per-conn", .toggle, help: "open a pipe for every connection and never close it (a pool that only grows)"),
    Flag("no-write-deadline", .toggle, help: "with --idle-timeout: bound reads only, so a client that never reads pins the echo"),
    Flag("at-exit", .toggle, help: "register a C exit handler that writes \"exit handler ran\" to stderr"),
    Flag("metrics-listen", .address, help: "serve GET /metrics (connections accepted, Prometheus's text format) here"),
]

LessonProgram.run(name: "netlab-testserver", flags: flags) { options, log in
    let mode = options.string("mode") ?? "echo"
    if options.isSet("at-exit") {
        // Stands for OpenSSL's: a handler that must not run while the program's threads do.
        atexit { _ = write(2, "exit handler ran\n", 17) }
    }
    let delay = options.duration("delay") ?? .milliseconds(100)
    switch mode {
    case "session":
        // The detached child of --detach: a session of its own, out of the process group
        // netlab signals; it sleeps until killed.
        _ = setsid()
        if options.isSet("delay") {
            usleep(UInt32(delay.components.seconds * 1_000_000 + delay.components.attoseconds / 1_000_000_000_000))
            exit(0)
        }
        while true { sleep(3600) }
    case "graceful":
        // ShutdownSignal: the first SIGTERM or SIGINT is for the tasks; the program logs it,
        // works on for --delay and exits 0 by itself. A second signal exits at once.
        let shutdown = ShutdownSignal.notify()
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        let signal = try await shutdown.wait()
        log.event("graceful: \(ShutdownSignal.name(of: signal))")
        try await Task.sleep(for: delay)
        log.event("graceful: done")
        return
    case "exit":
        log.error("refusing to start: mode exit")
        exit(3)
    case "flood":
        let line = Array(repeating: UInt8(ascii: "e"), count: 99) + [10]
        var written = 0
        let total = options.integer("flood") ?? 1 << 20
        while written < total {
            writeLine(line)
            written += line.count
        }
    default:
        break
    }
    if let how = options.string("detach") { try detach(orphan: how != "child", brief: how == "brief", bare: how == "bare") }
    if let address = options.string("metrics-listen") {
        let metrics = try TCPListener.listen(address: address)
        Task { try? await serveTestMetrics(metrics) }
    }
    let listener = try TCPListener.listen(address: options.listen)
    if mode != "noready" {
        if let other = options.string("announce") { log.ready(other) } else { log.ready(listener.address) }
    }
    if mode == "crash" {
        Task {
            try? await Task.sleep(for: delay)
            log.event("crashing now")
            abort()
        }
    }
    let idle = options.idleTimeout
    let tls: TLSServerConfig? =
        mode == "tls"
        ? try TLSServerConfig(certificateFile: options.cert ?? "", keyFile: options.key ?? "")
        : nil
    let quietClose = options.isSet("quiet-close")
    try await serve(listener) { conn in
        let peer = conn.remoteAddress
        acceptedConnections.add(1, ordering: .relaxed)
        if mode == "print" {
            // A learner's events printed on stdout (block-buffered into a pipe), not logged.
            print("accepted \(peer)")
        } else {
            log.accepted(peer)
        }
        if mode == "quit" {
            // Gone after its first client, as a program that returns from main too early.
            try? conn.close()
            exit(1)
        }
        if mode == "trap" {
            // A Swift runtime trap in the program's own code: an array index out of range.
            let numbers = [1]
            log.event("read \(numbers[numbers.count + peer.description.count % 1])")
        }
        if options.isSet("pipe-per-conn") {
            var ends: [Int32] = [0, 0]
            _ = pipe(&ends)  // kept open on purpose
        }
        do {
            switch mode {
            case "silent", "noready", "stall":
                try await Task.sleep(for: .seconds(3600))
            case "halfhello":
                // The header of a TLS handshake record, and then nothing: a handshake that stalls.
                try await conn.write([0x16, 0x03, 0x03, 0x00, 0x40])
                try await Task.sleep(for: .seconds(3600))
            case "close":
                try conn.close()
                log.closed(peer)
                return
            case "reset":
                try conn.closeWithReset()
                log.closed(peer)
                return
            case "tls":
                let secure = TLSConn.server(wrapping: conn, config: tls!)
                try conn.setDeadline(.after(.seconds(5)))
                try await secure.handshake()
                try conn.setDeadline(nil)
                log.sni(secure.serverName)
                while true {
                    let data = try await secure.read(upToCount: 65536)
                    if data.isEmpty { break }
                    try await secure.write(data)
                }
                try? await secure.closeGracefully(timeout: .seconds(1))
                if !quietClose { log.closed(peer) }
                return
            case "proxy":
                let up = try await TCPConn.dial(options.upstream ?? "127.0.0.1:1", timeout: .seconds(2))
                defer { try? up.close() }
                if let idle {
                    // Copies by hand with a read deadline, so an idle connection is closed.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            try await pump(from: conn, to: up, idle: idle); try? up.closeWrite()
                        }
                        group.addTask {
                            try await pump(from: up, to: conn, idle: idle); try? conn.closeWrite()
                        }
                        do {
                            try await group.waitForAll()
                        } catch {
                            group.cancelAll()
                            throw error
                        }
                    }
                } else {
                    async let a: Int64 = {
                        let n = try await copy(from: conn, to: up); try? up.closeWrite(); return n
                    }()
                    _ = try await copy(from: up, to: conn)
                    try? conn.closeWrite()
                    _ = try await a
                }
            default:
                var total = 0
                while true {
                    if let idle { try conn.setReadDeadline(.after(idle)) }
                    var data = try await conn.read(upToCount: 65536)
                    if data.isEmpty { break }
                    if options.isSet("verbose") { log.event("read \(data.count) bytes") }
                    if mode == "upper" { data = data.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 } }
                    if mode == "binbad" {
                        for i in data.indices where total + (i - data.startIndex) == 20 { data[i] ^= 0xff }
                    }
                    if mode == "slow" { try await Task.sleep(for: delay) }
                    total += data.count
                    if let idle, !options.isSet("no-write-deadline") { try conn.setWriteDeadline(.after(idle)) }
                    try await conn.write(data)
                }
                try conn.closeWrite()
            }
            if mode == "leak" { try await Task.sleep(for: .seconds(3600)) }
            try conn.close()
            if !quietClose { log.closed(peer) }
        } catch {
            try? conn.close()
            if !quietClose { log.closed(peer, error: error) }
        }
    }
}

func writeLine(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(2, raw.baseAddress! + offset, raw.count - offset)
            if n > 0 { offset += n } else if errno != EINTR { return }
        }
    }
}

func pump(from source: TCPConn, to destination: TCPConn, idle: Duration) async throws {
    while true {
        try source.setReadDeadline(.after(idle))
        let data = try await source.read(upToCount: 65536)
        if data.isEmpty { return }
        try await destination.write(data)
    }
}

/// Starts this program again with `--mode session` (which calls setsid and sleeps) through a
/// shell that prints `detached child PID` on stderr. With `orphan` the shell exits at once, so
/// the sleeper's parent is gone; else the shell waits for it. A `brief` sleeper exits after 200 ms;
/// a `bare` one runs with an empty environment.
func detach(orphan: Bool, brief: Bool, bare: Bool) throws {
    var path = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &path, path.count - 1)
    guard n > 0 else { throw NetError(.system(errno), op: "readlink /proc/self/exe") }
    let exe = String(decoding: path[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let script =
        (bare ? "env -i " : "") + "\"$0\" --mode session" + (brief ? " --delay 200ms" : "") + " & echo \"detached child $!\" >&2"
        + (orphan ? "" : "; wait")
    let argv = ["/bin/sh", "-c", script, exe]
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { for p in cArgs { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, "/bin/sh", nil, nil, cArgs, environ)
    guard rc == 0 else { throw NetError(.system(rc), op: "posix_spawn /bin/sh") }
    if orphan {
        // The shell has printed the pid and exited once it is reaped: then the sleeper is an orphan.
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }
}
