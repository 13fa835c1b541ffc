@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
import Glibc
@testable import ProcessSupervision
import Testing
@testable import Workbook
#if canImport(Glibc)
#endif

/// A product built next to the test bundle (`netlab`, `netlab-testserver`).
func builtProduct(_ name: String) throws -> String {
    let exe = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    var directory = exe.deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
        directory = directory.deletingLastPathComponent()
    }
    throw CheckError(message: "\(name) not found near \(exe.path)")
}

/// True when `pid` no longer runs (absent, or a zombie nobody reaped yet) by `within`.
func processIsGone(_ pid: pid_t, within limit: Duration) async -> Bool {
    let deadline = ContinuousClock.now + limit
    repeat {
        guard let entry = ProcessTree.entry(pid) else { return true }
        if entry.isZombie { return true }
        try? await Task.sleep(for: .milliseconds(10))
    } while ContinuousClock.now < deadline
    return false
}

/// The words of `/proc/PID/cmdline`.
func commandLine(of pid: pid_t) -> [String] {
    guard let bytes = ProcessTree.readFile("/proc/\(pid)/cmdline", limit: 65536) else { return [] }
    return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
}

/// Waits (up to `limit`) until some live descendant of `root` satisfies `match`; its pid.
func waitForDescendant(of root: pid_t, within limit: Duration, _ match: @escaping @Sendable ([String]) -> Bool) async -> pid_t? {
    let deadline = ContinuousClock.now + limit
    repeat {
        // Reading /proc blocks for a moment: off the cooperative pool, which other tests share.
        let found = await offPool { () -> pid_t? in
            let table = ProcessTree.table()
            return ProcessTree.descendants(of: [root], in: table).sorted().first { pid in
                table[pid].map({ !$0.isZombie }) == true && match(commandLine(of: pid))
            }
        }
        if let found { return found }
        try? await Task.sleep(for: .milliseconds(20))
    } while ContinuousClock.now < deadline
    return nil
}

/// The pid in a `detached child PID` line of a transcript (netlab-testserver's `--detach`).
func detachedChild(in transcript: String) -> pid_t? {
    guard let range = transcript.range(of: #"detached child \d+"#, options: .regularExpression) else { return nil }
    return pid_t(transcript[range].split(separator: " ").last ?? "")
}

/// The netlab binary running in `workbook` with `arguments`, its output going to files (so a
/// pipe nobody reads never blocks it). Foundation's Process reaps it.
func startNetlab(_ arguments: [String], in workbook: URL, environment extra: [String: String] = [:]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try builtProduct("netlab"))
    process.arguments = arguments
    process.currentDirectoryURL = workbook
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    for (k, v) in extra { environment[k] = v }
    process.environment = environment
    let out = workbook.appendingPathComponent(".netlab-test-output")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    let handle = try FileHandle(forWritingTo: out)
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    try handle.close()
    return process
}

/// Waits up to `limit` for a Process to end; whether it did.
func waitForExit(_ process: Process, within limit: Duration) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    return !process.isRunning
}
