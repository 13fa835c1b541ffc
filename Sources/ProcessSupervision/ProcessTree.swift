import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Everything a child of netlab started, found through /proc, so that stopping a program
/// stops all of it: not only its process group, which a child leaves with `setsid`.
///
/// A process belongs to a child's tree when it descends from the child (its parent chain, read
/// from `/proc/PID/stat`, leads there) or carries the child's token in its environment
/// (`NETLAB_TREE=…`, which every child gets and its own children inherit). The token finds a
/// daemon whose parent has exited: such an orphan is netlab's child (netlab is a subreaper, see
/// ``SpawnThread``), no longer the program's, and ``stop(root:token:bound:)`` reaps it.
package enum ProcessTree {
    /// The environment variable that carries a child's token.
    static let variable = "NETLAB_TREE"

    /// Children netlab started itself and that their owner reaps (``ProcessGroup``, `run`).
    /// Any other child of netlab is an orphan it adopted as a subreaper.
    private static let owned = Mutex<Set<pid_t>>([])
    /// Whether netlab's children that no owner waits for are stopped and reaped.
    private static let stoppingStrays = Mutex(false)

    /// Turns on ``stopStrays(until:)``, for a process whose children all come from
    /// ``ProcessRunner/spawn`` and whose programs run one at a time: the netlab command. Not
    /// in a test runner, whose children started with Foundation's `Process` are its own.
    package static func stopStraysFromNowOn() { stoppingStrays.withLock { $0 = true } }

    /// Runs `spawn` (which returns a new child's pid, or a value <= 0) and records the child as
    /// owned, with no moment in between at which ``reapStrays()`` could take it for a stray.
    static func spawnOwned(_ spawn: () -> (pid_t, Int32)) -> (pid_t, Int32) {
        owned.withLock { set in
            let result = spawn()
            if result.0 > 0 { set.insert(result.0) }
            return result
        }
    }

    /// The owner of `pid` has reaped it.
    package static func reaped(_ pid: pid_t) { _ = owned.withLock { $0.remove(pid) } }

    /// When ``stopStraysFromNowOn()`` was called: SIGKILLs every child of netlab that no owner
    /// waits for, and reaps it. Such a child is an orphan netlab adopted as a subreaper: a
    /// daemon some program left behind, whether it exited on its own since (a zombie) or still
    /// runs without the program's token (it cleared its environment). Waits until `deadline`
    /// at most.
    static func stopStrays(until deadline: ContinuousClock.Instant) {
        guard stoppingStrays.withLock({ $0 }) else { return }
        let me = getpid()
        while true {
            let strays = owned.withLock { set -> [Entry] in
                let strays = table().values.filter { $0.parent == me && !set.contains($0.pid) }
                for stray in strays {
                    var status: Int32 = 0
                    // A stray's pid cannot be reused before netlab reaps it: signalling it is safe.
                    if stray.isZombie {
                        while waitpid(stray.pid, &status, WNOHANG) < 0, errno == EINTR {}
                    } else {
                        kill(stray.pid, SIGKILL)
                    }
                }
                return strays.filter { !$0.isZombie }
            }
            if strays.isEmpty || ContinuousClock.now >= deadline { return }
            usleep(2_000)
        }
    }

    /// One row of /proc: a process, its parent, and its state letter (`Z` for a zombie).
    package struct Entry: Sendable {
        var pid: pid_t
        var parent: pid_t
        var state: UInt8
        var isZombie: Bool { state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") }
    }

    /// A token no other child of this netlab (or another netlab) carries.
    package static func newToken() -> String {
        "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    }

    /// Every process of the system that /proc shows, by pid.
    package static func table() -> [pid_t: Entry] {
        var entries: [pid_t: Entry] = [:]
        guard let dir = opendir("/proc") else { return entries }
        defer { closedir(dir) }
        while let item = readdir(dir) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), let entry = entry(pid) else { continue }
            entries[pid] = entry
        }
        return entries
    }

    /// `/proc/PID/stat`'s state and parent; nil when the process is gone.
    static func entry(_ pid: pid_t) -> Entry? {
        guard let bytes = readFile("/proc/\(pid)/stat", limit: 4096),
            let close = bytes.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        // "PID (COMM) S PPID …": the name may hold spaces and parentheses, so parse after the last ")".
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), maxSplits: 3)
        guard fields.count >= 2, let state = fields[0].first,
            let parent = pid_t(String(decoding: fields[1], as: UTF8.self))
        else { return nil }
        return Entry(pid: pid, parent: parent, state: state)
    }

    /// The processes below `roots` (children, their children, …), not `roots` themselves.
    static func descendants(of roots: Set<pid_t>, in table: [pid_t: Entry]) -> Set<pid_t> {
        var children: [pid_t: [pid_t]] = [:]
        for entry in table.values { children[entry.parent, default: []].append(entry.pid) }
        var found = Set<pid_t>()
        var pending = Array(roots)
        while let next = pending.popLast() {
            for child in children[next] ?? [] where !roots.contains(child) && found.insert(child).inserted {
                pending.append(child)
            }
        }
        return found
    }

    /// `root` and its descendants, found through the kernel's lists of each thread's children
    /// (`/proc/PID/task/TID/children`) rather than a scan of all of /proc: cheap enough to run
    /// at every look of a polling step. At most `limit` processes; a process that is gone by
    /// the time it is read is left out.
    package static func subtree(of root: pid_t, limit: Int = 4096) -> [pid_t] {
        var found: [pid_t] = [root]
        var seen: Set<pid_t> = [root]
        var next = 0
        while next < found.count, found.count < limit {
            let pid = found[next]
            next += 1
            guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { continue }
            for task in tasks {
                guard let text = readFile("/proc/\(pid)/task/\(task)/children", limit: 1 << 16) else { continue }
                for word in text.split(separator: UInt8(ascii: " ")) {
                    if let child = pid_t(String(decoding: word, as: UTF8.self)), seen.insert(child).inserted, found.count < limit {
                        found.append(child)
                    }
                }
            }
        }
        return found
    }

    /// The live processes of `table` whose environment holds `NETLAB_TREE=token`. Processes of
    /// other users cannot be read and are never counted.
    static func carrying(_ token: String, in table: [pid_t: Entry]) -> Set<pid_t> {
        let wanted = Array("\(variable)=\(token)".utf8)
        return carrying(in: table) { $0.elementsEqual(wanted) }
    }

    /// The live processes of `table` (never netlab itself) with an environment entry for which
    /// `matches` holds (the entry's bytes, `NAME=VALUE`).
    static func carrying(in table: [pid_t: Entry], _ matches: (ArraySlice<UInt8>) -> Bool) -> Set<pid_t> {
        var found = Set<pid_t>()
        for entry in table.values where !entry.isZombie && entry.pid != getpid() {
            guard let environ = readFile("/proc/\(entry.pid)/environ", limit: 1 << 20) else { continue }
            if environ.split(separator: 0).contains(where: matches) { found.insert(entry.pid) }
        }
        return found
    }

    /// `root` (when it still shows in /proc), everything below it, and everything that carries
    /// `token`, with everything below those; never netlab itself.
    package static func members(root: pid_t?, token: String?, in table: [pid_t: Entry]) -> Set<pid_t> {
        var found = token.map { carrying($0, in: table) } ?? []
        if let root, table[root] != nil { found.insert(root) }
        found.formUnion(descendants(of: found, in: table))
        found.remove(getpid())
        return found
    }

    /// SIGKILLs every member of the tree (``members(root:token:in:)``) but `root`, again until
    /// none runs, and reaps those that became netlab's children (orphans netlab adopted as a
    /// subreaper). `root` itself is left to whoever waits for it, so that its pid stays taken
    /// until its owner is done signalling its group. Blocking, at most `bound`: call it from a
    /// thread, never from the cooperative pool.
    package static func stop(root: pid_t?, token: String?, bound: Duration = .seconds(2)) {
        let me = getpid()
        let deadline = ContinuousClock.now + bound
        var seen = Set<pid_t>()
        while true {
            let table = table()
            var members = self.members(root: root, token: token, in: table)
            if let root { members.remove(root) }
            seen.formUnion(members)
            // A member seen before that is netlab's child now (its pid cannot be reused before
            // netlab reaps it) still counts, though its parent chain is broken.
            let adopted = seen.filter { table[$0]?.parent == me }
            let running = members.union(adopted).filter { table[$0].map { !$0.isZombie } ?? false }
            for pid in running { kill(pid, SIGKILL) }
            // Reap the members that are netlab's own zombies; a member whose parent is another
            // member becomes netlab's once that parent is gone, so look again next round.
            var waiting = !running.isEmpty
            for pid in seen {
                guard let entry = table[pid], entry.parent == me else { continue }
                var status: Int32 = 0
                if entry.isZombie {
                    while waitpid(pid, &status, WNOHANG) < 0, errno == EINTR {}
                } else {
                    waiting = true
                }
            }
            if !waiting || ContinuousClock.now >= deadline {
                stopStrays(until: deadline)
                return
            }
            usleep(2_000)
        }
    }

    /// Up to `limit` bytes of a file; nil when it cannot be opened.
    package static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, limit - bytes.count)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }
}
