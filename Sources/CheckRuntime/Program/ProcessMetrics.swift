import Foundation

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
    /// Descriptors, threads, resident memory and CPU time; nil once the process is gone.
    public func metrics() -> ProcessMetrics? {
        guard exitStatus == nil,
            let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"),
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
            if fields.count > 12, let user = Int64(fields[11]), let system = Int64(fields[12]) {
                let ticks = Int64(sysconf(Int32(_SC_CLK_TCK)))
                cpu = .nanoseconds((user + system) * 1_000_000_000 / max(ticks, 1))
            }
        }
        // Each socket descriptor names its own inode (a dup shares one, and counts once).
        let sockets = PortOwnership.socketInodes(of: [pid]).count
        return ProcessMetrics(fds: fds.count, sockets: sockets, threads: threads, rss: rss, peakRSS: peakRSS, cpu: cpu)
    }
}
