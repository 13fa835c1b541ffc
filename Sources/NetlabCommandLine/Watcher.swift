import CheckRuntime
#if canImport(Glibc)
import Foundation
import Glibc
#endif

/// The timing logic of `netlab watch`, apart from files and clocks so it can be unit-tested:
/// a change starts (or restarts) a 200 ms quiet period; when it ends, one check runs; changes
/// that arrive while a check runs are ignored (the check already saw the file or the next save
/// triggers again), and two checks never run at once.
public struct Debouncer: Sendable, Equatable {
    public var delay: Duration
    /// When the last change arrived, if a check is due.
    public private(set) var lastChange: ContinuousClock.Instant?
    public private(set) var running = false

    public init(delay: Duration = .milliseconds(200)) {
        self.delay = delay
    }

    /// A file changed at `now`. Ignored while a check runs.
    public mutating func changed(at now: ContinuousClock.Instant) {
        guard !running else { return }
        lastChange = now
    }

    /// Whether a check should start at `now` (a change is pending and the quiet period is over).
    public func isDue(at now: ContinuousClock.Instant) -> Bool {
        guard !running, let last = lastChange else { return false }
        return now - last >= delay
    }

    /// How long to wait before the pending check is due (nil when none is pending).
    public func waitTime(at now: ContinuousClock.Instant) -> Duration? {
        guard !running, let last = lastChange else { return nil }
        return max(.zero, delay - (now - last))
    }

    /// A check starts: the pending change is consumed.
    public mutating func startRun() {
        running = true
        lastChange = nil
    }

    /// The check finished; changes count again.
    public mutating func finishRun() {
        running = false
        lastChange = nil
    }
}

/// Watches a lesson folder for saved files: inotify when the kernel allows it, else polling the
/// files' modification times every 500 ms.
public final class FileWatcher: @unchecked Sendable {
    public let directory: URL
    /// File names (in `directory` and `fixtures/`) that count; others (editor swap files) do not.
    let isRelevant: @Sendable (String) -> Bool
    private var inotifyFD: Int32 = -1
    private var snapshot: [String: Date] = [:]
    public var usesInotify: Bool { inotifyFD >= 0 }
    public let pollInterval: Duration = .milliseconds(500)

    public init(
        directory: URL, forcePolling: Bool = false,
        isRelevant: @escaping @Sendable (String) -> Bool = FileWatcher.isLessonFile
    ) {
        self.directory = directory
        self.isRelevant = isRelevant
        if !forcePolling {
            let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            if fd >= 0 {
                let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_DELETE)
                let ok = inotify_add_watch(fd, directory.path, mask) >= 0
                let fixtures = directory.appendingPathComponent("fixtures").path
                if FileManager.default.fileExists(atPath: fixtures) { _ = inotify_add_watch(fd, fixtures, mask) }
                if ok { inotifyFD = fd } else { close(fd) }
            }
        }
        if inotifyFD < 0 { snapshot = takeSnapshot() }
    }

    deinit {
        if inotifyFD >= 0 { close(inotifyFD) }
    }

    /// `main.swift`, `checks.netlab`, any other `.swift` file, or a fixture.
    @Sendable public static func isLessonFile(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasSuffix("~") || name.hasSuffix(".swp") || name.hasSuffix(".tmp") { return false }
        return name.hasSuffix(".swift") || name == "checks.netlab" || name.hasPrefix("fixtures/")
    }

    /// Waits up to `timeout` (and at most until something changes); returns the names of the
    /// changed files (empty when nothing changed). Blocking: call it from a dedicated thread.
    /// `extraFD`, when given, is also polled (stdin for `q`), and its readiness ends the wait.
    public func waitForChanges(timeout: Duration, extraFD: Int32? = nil) -> (changed: [String], extraReady: Bool) {
        let ms = Int32(min(Int64(timeout.components.seconds) * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000, 60_000))
        if inotifyFD >= 0 {
            var fds = [pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0)]
            if let extraFD { fds.append(pollfd(fd: extraFD, events: Int16(POLLIN), revents: 0)) }
            let n = poll(&fds, nfds_t(fds.count), ms)
            guard n > 0 else { return ([], false) }
            let extraReady = fds.count > 1 && fds[1].revents != 0
            var names: [String] = []
            if fds[0].revents & Int16(POLLIN) != 0 { names = readEvents() }
            return (names.filter(isRelevant), extraReady)
        }
        // Polling: sleep in steps of at most 500 ms (or until stdin is readable), then compare.
        let step = min(ms, 500)
        var extraReady = false
        if let extraFD {
            var fds = [pollfd(fd: extraFD, events: Int16(POLLIN), revents: 0)]
            extraReady = poll(&fds, 1, step) > 0
        } else {
            usleep(UInt32(step) * 1000)
        }
        let now = takeSnapshot()
        var changed: [String] = []
        for (name, date) in now where snapshot[name] != date { changed.append(name) }
        for name in snapshot.keys where now[name] == nil { changed.append(name) }
        snapshot = now
        return (changed.filter(isRelevant).sorted(), extraReady)
    }

    private func readEvents() -> [String] {
        var names: [String] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(inotifyFD, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= n {
                let len = buffer.withUnsafeBytes { raw -> Int in
                    Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                }
                let wd = buffer.withUnsafeBytes { raw in raw.loadUnaligned(fromByteOffset: offset, as: Int32.self) }
                let nameBytes = buffer[(offset + headerSize)..<min(n, offset + headerSize + len)].prefix { $0 != 0 }
                var name = String(decoding: nameBytes, as: UTF8.self)
                if wd != 1, !name.isEmpty { name = "fixtures/" + name }
                if !name.isEmpty { names.append(name) }
                offset += headerSize + len
            }
        }
        return names
    }

    private func takeSnapshot() -> [String: Date] {
        var out: [String: Date] = [:]
        let fm = FileManager.default
        for (dir, prefix) in [(directory, ""), (directory.appendingPathComponent("fixtures"), "fixtures/")] {
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] {
                let attrs = try? fm.attributesOfItem(atPath: dir.appendingPathComponent(name).path)
                if let date = attrs?[.modificationDate] as? Date, (attrs?[.type] as? FileAttributeType) != .typeDirectory {
                    out[prefix + name] = date
                }
            }
        }
        return out
    }
}
