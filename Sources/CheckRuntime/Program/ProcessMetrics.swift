import Foundation
import ProcessSupervision

/// Resource use read from /proc.
public struct ProcessMetrics: Sendable, Equatable {
    /// Entries of `/proc/PID/fd`.
    public var fds: Int
    /// How many of them are sockets.
    public var sockets: Int
    /// `Threads` of `/proc/PID/status`: how many threads the process has.
    public var threads: Int
    /// `VmRSS` of `/proc/PID/status`, in bytes.
    public var rss: Int
    /// `VmHWM` of `/proc/PID/status` (the peak of `rss`), in bytes.
    public var peakRSS: Int
    /// utime + stime of `/proc/PID/stat`.
    public var cpu: Duration
}

extension ServerProcess {
    /// Descriptors, threads, resident memory and CPU time of the program and of every process
    /// it started (so `--cmd "go run ."` or a shell wrapper is measured with the program it
    /// runs, not as the idle launcher alone); nil once the program is gone. Peak memory is the
    /// sum of each process's peak, CPU time includes the children each one has waited for.
    public func metrics() -> ProcessMetrics? {
        guard exitStatus == nil, var total = Self.metrics(of: pid) else { return nil }
        let tree = ProcessTree.subtree(of: pid)
        for child in tree.dropFirst() {
            guard let one = Self.metrics(of: child) else { continue }
            total.fds += one.fds
            total.threads += one.threads
            total.rss += one.rss
            total.peakRSS += one.peakRSS
            total.cpu += one.cpu
        }
        // Each socket descriptor names its own inode (a dup, or one a child inherited, shares
        // one and counts once).
        total.sockets = PortOwnership.socketInodes(of: Set(tree)).count
        return total
    }

    /// One process's figures from /proc (its sockets are counted by the caller); nil when it is
    /// gone or cannot be read.
    static func metrics(of pid: pid_t) -> ProcessMetrics? {
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        else { return nil }
        func kibibytes(_ field: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return 0 }
            return (Int(line.dropFirst(field.count).filter(\.isNumber)) ?? 0) * 1024
        }
        let rss = kibibytes("VmRSS:")
        let threads =
            status.split(separator: "\n").first { $0.hasPrefix("Threads:") }
            .flatMap { Int($0.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        let peakRSS = max(rss, kibibytes("VmHWM:"))
        var cpu = Duration.zero
        if let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // utime, stime, and cutime, cstime: the children this one has waited for.
            if fields.count > 14, let user = Int64(fields[11]), let system = Int64(fields[12]),
                let childUser = Int64(fields[13]), let childSystem = Int64(fields[14])
            {
                let ticks = Int64(sysconf(Int32(_SC_CLK_TCK)))
                cpu = .nanoseconds((user + system + childUser + childSystem) * 1_000_000_000 / max(ticks, 1))
            }
        }
        return ProcessMetrics(fds: fds.count, sockets: 0, threads: threads, rss: rss, peakRSS: peakRSS, cpu: cpu)
    }
}
