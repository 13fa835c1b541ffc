import Foundation
#if canImport(Glibc)
import Glibc
import ProcessSupervision
#endif

/// Proof that the port a ready line names is the program's own: the listening socket that a
/// client connecting there reaches must be open in the program under test or in one of its
/// descendants (a `--cmd` that runs it through a shell counts), not in some other server that
/// was started beforehand and whose port the program merely announced.
///
/// The kernel's tables say it: `/proc/net/tcp` and `/proc/net/tcp6` list each listening socket
/// (state `0A`) with its local address and inode, and `/proc/PID/fd/N` of the process holding it
/// links to `socket:[INODE]`.
enum PortOwnership {
    /// A listening TCP socket from /proc/net/tcp or tcp6.
    struct Listener: Equatable, Sendable {
        /// The local address, 4 or 16 bytes in network order.
        var address: [UInt8]
        var port: Int
        var inode: UInt64
    }

    /// What the tables show.
    enum Verdict: Equatable, Sendable {
        /// Every socket a client of the ready line's address could reach is the program's.
        case owned
        /// Nothing listens on the port.
        case nobodyListens
        /// A socket a client could reach is held by no process of the program's tree.
        case foreign
    }

    /// The ready line's address checked against the tables: `address` is connectable
    /// (`127.0.0.1:40123`, `[::1]:40123`, or a host name and port). Nil when it names no port.
    static func verdict(address: String, root: pid_t, token: String) -> Verdict? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        let host = hostPart(address)
        let reachable = candidates(for: host, among: listeners(port: port))
        if reachable.isEmpty { return .nobodyListens }
        let mine = socketInodes(of: ProcessTree.members(root: root, token: token, in: ProcessTree.table()))
        return reachable.allSatisfy { mine.contains($0.inode) } ? .owned : .foreign
    }

    /// The listeners a connection to `host` could land on: those bound to that address, to the
    /// wildcard of either family (a `::` socket takes IPv4 too, unless IPV6_V6ONLY), or to the
    /// IPv4-mapped form of it. For a host name, all of them.
    static func candidates(for host: String, among listeners: [Listener]) -> [Listener] {
        guard let bytes = ipBytes(host) else { return listeners }
        let mapped = bytes.count == 4 ? [UInt8](repeating: 0, count: 10) + [0xff, 0xff] + bytes : nil
        return listeners.filter { l in
            l.address == bytes || l.address == mapped || l.address.allSatisfy { $0 == 0 }
        }
    }

    /// The 4 or 16 bytes of an IP literal; nil for anything else.
    static func ipBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// The listening sockets on `port`, IPv4 and IPv6.
    static func listeners(port: Int) -> [Listener] {
        ["/proc/net/tcp", "/proc/net/tcp6"].flatMap { file -> [Listener] in
            guard let bytes = ProcessTree.readFile(file, limit: 64 << 20) else { return [] }
            return parseTable(String(decoding: bytes, as: UTF8.self)).filter { $0.port == port }
        }
    }

    /// The LISTEN rows of a /proc/net/tcp or tcp6 table. Each row reads
    /// `sl local_address rem_address st … uid timeout inode …`; an address is hexadecimal
    /// 32-bit words, each printed as the host reads it, and the port is big-endian hex.
    static func parseTable(_ text: String) -> [Listener] {
        var found: [Listener] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == "0A" else { continue }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, let port = Int(local[1], radix: 16), let inode = UInt64(fields[9]),
                local[0].count == 8 || local[0].count == 32
            else { continue }
            var address: [UInt8] = []
            var rest = Substring(local[0])
            var valid = true
            while !rest.isEmpty {
                guard let word = UInt32(rest.prefix(8), radix: 16) else { valid = false; break }
                // The kernel prints the word as it sits in memory: its bytes, in memory order,
                // are the address in network order.
                address += withUnsafeBytes(of: word) { Array($0) }
                rest = rest.dropFirst(8)
            }
            if valid { found.append(Listener(address: address, port: port, inode: inode)) }
        }
        return found
    }

    /// The inodes of every socket open in `pids` (`/proc/PID/fd/N` → `socket:[INODE]`).
    static func socketInodes(of pids: Set<pid_t>) -> Set<UInt64> {
        var inodes = Set<UInt64>()
        for pid in pids {
            let dir = "/proc/\(pid)/fd"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names {
                var target = [CChar](repeating: 0, count: 64)
                let n = readlink("\(dir)/\(name)", &target, target.count - 1)
                guard n > 8 else { continue }
                let link = String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if link.hasPrefix("socket:["), link.hasSuffix("]"), let inode = UInt64(link.dropFirst(8).dropLast()) {
                    inodes.insert(inode)
                }
            }
        }
        return inodes
    }

    /// Whether `pid` has ended: gone from /proc, or a zombie (exited, its status not collected).
    static func hasEnded(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // `PID (COMM) STATE …`: COMM may hold spaces and parentheses, so the state follows the
        // last `)`.
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].drop(while: { $0 == " " }).first
        return state == "Z" || state == "X"
    }

    /// Why a ready line's port was not accepted.
    struct Problem: Error, Equatable, Sendable {
        var message: String
        /// The program had exited when netlab looked: its own listener may have been there
        /// and gone, so the check goes on as for a program that exited before it was ready.
        var exited: Bool
    }

    /// Checks `process`'s ready-line `address` (connectable form), looking again for up to
    /// `patience` while the answer is not `owned` (the tables may lag the ready line by a
    /// moment). Nil when the port is the program's or the address names no port; else why not,
    /// for the learner.
    static func problem(
        with process: ServerProcess, address: String,
        patience: Duration = .seconds(1)
    ) async -> Problem? {
        let deadline = ContinuousClock.now + patience
        let pid = process.pid
        let token = process.treeToken
        let port = address.split(separator: ":").last.map(String.init) ?? "?"
        while true {
            let found: Verdict? = await offPool { PortOwnership.verdict(address: address, root: pid, token: token) }
            guard let found, found != .owned else { return nil }
            // Read after the verdict: a program that exits while netlab looks (its work done, as
            // one that gives up at once does) took its listener with it. One that has ended but
            // is not reaped yet has no sockets either: wait for its status.
            var exited = process.exitStatus
            if exited == nil, hasEnded(pid) { exited = await process.waitExit(timeout: .seconds(2)) }
            if let exited {
                return Problem(
                    message: "the ready line names port \(port), but the server \(exited) before netlab "
                        + "could see it listening there", exited: true)
            }
            if ContinuousClock.now >= deadline {
                switch found {
                case .nobodyListens:
                    return Problem(
                        message: "the ready line names port \(port), but nothing listens on that port",
                        exited: false)
                default:
                    return Problem(
                        message: "the ready line names port \(port), but the listening socket on that port "
                            + "is not your program's (pid \(pid)) or its children's: another program serves it",
                        exited: false)
                }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
