// Child processes for the driver: servers under test, baselines, and the load generator.
// Every child runs under `timeout -s KILL <bound>` and is killed when its measurement ends
// (and at exit or on SIGINT/SIGTERM), so nothing outlives netbench for long.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ProcessSupervision

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}

/// Pids of running children (the `timeout` wrappers and the programs under them).
nonisolated(unsafe) var liveChildren = Set<Int32>()
let liveChildrenLock = NSLock()

func killAllChildren() {
    liveChildrenLock.lock()
    let pids = liveChildren
    liveChildren.removeAll()
    liveChildrenLock.unlock()
    for pid in pids { kill(pid, SIGKILL) }
}

func installCleanup() {
    atexit { killAllChildren() }
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        signal(sig) { sig in
            killAllChildren()
            _exit(128 + sig)
        }
    }
}

final class Child {
    let process: Process
    /// The program itself (not its `timeout` wrapper): for /proc/PID/status and /proc/PID/stat.
    let pid: Int32
    let name: String
    private let stdoutFD: Int32?
    let stdinPipe: Pipe?

    init(
        _ argv: [String], name: String, bound: Int, cwd: String? = nil, captureStdout: Bool = true, withStdin: Bool = false,
        extraEnvironment: [String: String] = [:]
    ) throws {
        self.name = name
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["-s", "KILL", "\(bound)"] + argv
        var environment = Foundation.ProcessInfo.processInfo.environment
        environment["NETBENCH_CHILD_BOUND"] = "\(bound)"
        environment.merge(extraEnvironment) { _, extra in extra }
        process.environment = environment
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe()
        if captureStdout { process.standardOutput = out } else { process.standardOutput = FileHandle.nullDevice }
        let logPath = "/tmp/netbench-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber }).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath) ?? FileHandle.nullDevice
        let input = withStdin ? Pipe() : nil
        process.standardInput = input ?? FileHandle.nullDevice
        stdinPipe = input
        try process.run()
        self.process = process
        stdoutFD = captureStdout ? out.fileHandleForReading.fileDescriptor : nil
        let wrapper = process.processIdentifier
        liveChildrenLock.lock(); liveChildren.insert(wrapper); liveChildrenLock.unlock()
        // The program is timeout's only child.
        var found: Int32 = wrapper
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: "/proc/\(wrapper)/task/\(wrapper)/children", encoding: .utf8),
                let child = text.split(separator: " ").first.flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
            {
                found = child
                break
            }
            usleep(5000)
        }
        pid = found
        liveChildrenLock.lock(); liveChildren.insert(found); liveChildrenLock.unlock()
    }

    /// One line of the child's stdout, waiting at most `timeout` seconds.
    func readLine(timeout: Double = 30) -> String? {
        guard let fd = stdoutFD else { return nil }
        var line: [UInt8] = []
        let deadline = now() + timeout
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(0, (deadline - now()) * 1000))
            if poll(&p, 1, left) <= 0 { return nil }
            var byte: UInt8 = 0
            if read(fd, &byte, 1) != 1 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == 10 { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
    }

    /// Waits for "port N" and returns N.
    func waitForPort() throws -> Int {
        while let line = readLine() {
            if line.hasPrefix("port "), let port = Int(line.dropFirst(5)) { return port }
        }
        throw BenchError("\(name) did not report a port (see /tmp/netbench-\(getpid())-*.log)")
    }

    /// The whole of stdout after the child exits (the load generator's result line).
    func waitForOutput() -> String {
        var text = ""
        while let line = readLine(timeout: 3600) { text += line + "\n" }
        process.waitUntilExit()
        forget()
        return text
    }

    func stop() {
        kill(pid, SIGKILL)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        forget()
    }

    private func forget() {
        liveChildrenLock.lock()
        liveChildren.remove(pid)
        liveChildren.remove(process.processIdentifier)
        liveChildrenLock.unlock()
    }

    /// User + system CPU seconds so far (/proc/PID/stat fields 14 and 15) of the program and
    /// its live descendants: nginx does its work in worker processes, its master's children.
    var cpuSeconds: Double { ProcessTree.subtree(of: pid).reduce(0) { $0 + cpuSecondsOf($1) } }

    /// VmRSS in KiB (/proc/PID/status).
    var rssKiB: Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    /// Open descriptors.
    var descriptorCount: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0 }

    /// Threads.
    var threadCount: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? 0 }
}

func cpuSecondsOf(_ pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
    else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // After the comm: state is field 3, so utime (14) and stime (15) are at 11 and 12.
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// `key=value key=value` → dictionary.
func parseResult(_ text: String) -> [String: String] {
    var result: [String: String] = [:]
    for line in text.split(separator: "\n") {
        for field in line.split(separator: " ") {
            let pair = field.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { result[String(pair[0])] = String(pair[1]) }
        }
    }
    return result
}

/// Runs a command to completion (for `go build`); true on success.
func runQuietly(_ argv: [String], cwd: String? = nil) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = argv
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    process.standardOutput = FileHandle.nullDevice
    let errors = Pipe()
    process.standardError = errors
    do { try process.run() } catch { return false }
    let data = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        FileHandle.standardError.write(data)
        return false
    }
    return true
}

/// Finds a program on PATH.
func which(_ program: String) -> String? {
    for dir in (Foundation.ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(dir)/\(program)"
        if access(path, X_OK) == 0 { return path }
    }
    return nil
}

/// A free loopback port (for servers that cannot report the one they chose).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Waits until something accepts connections on the port.
func waitUntilListening(_ port: Int, timeout: Double = 10) -> Bool {
    let deadline = now() + timeout
    while now() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        close(fd)
        if rc == 0 { return true }
        usleep(20_000)
    }
    return false
}
