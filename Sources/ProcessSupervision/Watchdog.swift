import CNetShim
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A process that outlives netlab by a moment, to stop what netlab started when netlab itself is
/// killed outright (SIGKILL, a crash): the kernel's parent-death signal then ends netlab's own
/// children, but not what they detached (a daemon that called `setsid` and was adopted by
/// netlab, the subreaper, dies with nobody to reap it… and lives on).
///
/// netlab starts the watchdog (`netlab __watchdog PID`, its own executable) once, with the read
/// end of a pipe as its stdin, and keeps the write end. When netlab ends, however it ends, the
/// kernel closes the write end; the watchdog's read returns end of file, and it SIGKILLs every
/// process whose environment holds a token of this netlab's (`NETLAB_TREE=PID-…`, which every
/// child netlab starts carries and passes on), then exits. After a clean exit it finds nothing.
///
/// It runs in a process group of its own (a Ctrl-C in the terminal is for netlab, which stops
/// its children itself) and holds no other descriptor of netlab's.
public enum Watchdog {
    /// The hidden subcommand that makes a netlab process the watchdog.
    public static let subcommand = "__watchdog"

    /// Starts the watchdog for this process. Failing to start it costs only the cleanup after a
    /// crash, so it is silent.
    public static func start() {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return }
        var ends: [Int32] = [-1, -1]
        guard cnet_pipe_cloexec(&ends) == 0 else { return }
        let pid = try? ProcessRunner.spawn(
            [executable, subcommand, String(getpid())], stdinNull: true, stdout: nil,
            stderr: nil, newProcessGroup: true, stdin: ends[0], outlivesNetlab: true)
        close(ends[0])
        // The write end stays open (close-on-exec, so no program inherits it) until netlab ends.
        if pid == nil { close(ends[1]) }
    }

    /// The watchdog's whole life: wait for netlab to end, stop what carries its tokens, exit.
    public static func run(watching netlab: String) -> Never {
        guard let pid = pid_t(netlab), pid > 0 else { exit(2) }
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        var byte: UInt8 = 0
        while true {
            let n = read(0, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
        }
        stopLeftovers(ofNetlab: pid)
        exit(0)
    }

    /// SIGKILLs every process that carries a token of netlab `pid`, twice over a short while (a
    /// process may fork while the first sweep runs).
    static func stopLeftovers(ofNetlab pid: pid_t) {
        let prefix = Array("\(ProcessTree.variable)=\(pid)-".utf8)
        for _ in 0..<3 {
            for pid in ProcessTree.carrying(in: ProcessTree.table(), { $0.starts(with: prefix) }) { kill(pid, SIGKILL) }
            usleep(50_000)
        }
    }
}
