import Foundation
import NetCore
import NetTLS
import Testing

/// One CA and one localhost certificate for the whole test run (making keys is cheap, but
/// there is no reason to do it per test).
enum PKI {
    static let ca: DevCA = try! DevCA.create(commonName: "netlab test CA")
    static let localhost: TLSCertificate = try! ca.issue(names: ["localhost", "127.0.0.1", "::1"])
    static let otherCA: DevCA = try! DevCA.create(commonName: "some other CA")

    static func serverConfig(alpn: [String] = [], min: TLSVersion = .tls12, max: TLSVersion? = nil) throws -> TLSServerConfig {
        try TLSServerConfig(certificate: localhost, alpnProtocols: alpn, minVersion: min, maxVersion: max)
    }

    static func clientConfig(serverName: String? = "localhost", alpn: [String] = [], min: TLSVersion = .tls12, max: TLSVersion? = nil) throws
        -> TLSClientConfig
    {
        try TLSClientConfig(
            serverName: serverName, rootCAPEM: Array(ca.certificatePEM.utf8), alpnProtocols: alpn,
            minVersion: min, maxVersion: max)
    }

    /// A temporary directory with ca.pem, localhost.pem and localhost-key.pem.
    static let files: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try! FileIOTest.write(ca.certificatePEM, to: dir + "/ca.pem")
        try! localhost.write(certificateTo: dir + "/localhost.pem", keyTo: dir + "/localhost-key.pem")
        return dir
    }()
}

enum FileIOTest {
    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// A listener on 127.0.0.1 with a free port, and a connected pair over it.
struct Pair {
    let listener: TCPListener
    let server: TCPConn
    let client: TCPConn
    var port: UInt16 { listener.address.port }

    static func make() async throws -> Pair {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        async let accepted = listener.accept()
        let client = try await TCPConn.dial("127.0.0.1:\(listener.address.port)", timeout: .seconds(5))
        let server = try await accepted
        return Pair(listener: listener, server: server, client: client)
    }
}

/// A deadline every test conn gets, so that no test can hang on I/O: generous, because the
/// machine is shared with other builds.
let safety: Duration = .seconds(20)

/// Runs `body` with a time bound; throws if it is exceeded. The body is cancelled then, and
/// the group still waits for it to end, so the body's I/O must also respond to cancellation or
/// carry deadlines (every conn in these tests gets `safety` as its deadline).
func bounded<T: Sendable>(_ limit: Duration = .seconds(30), _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw TimeBoundExceeded(limit: limit)
        }
        group.cancelAll()
        return value
    }
}

struct TimeBoundExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "the test step took longer than \(limit)" }
}

/// What a throwing call threw (or nil if it did not).
func caught(_ body: () async throws -> Void) async -> (any Error)? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}

// MARK: - Counting this test's sockets

/// How many descriptors of this process are TCP sockets with `port` at either end. Other tests
/// run in parallel in this process, so counting all descriptors would be flaky; a port is
/// ours alone.
func openSockets(port: UInt16) -> Int {
    var inodes = Set<String>()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9 else { continue }
            let local = fields[1].split(separator: ":").last.flatMap { UInt16($0, radix: 16) }
            let remote = fields[2].split(separator: ":").last.flatMap { UInt16($0, radix: 16) }
            if local == port || remote == port { inodes.insert(String(fields[9])) }
        }
    }
    inodes.remove("0")
    guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return -1 }
    var count = 0
    for fd in fds {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"),
            target.hasPrefix("socket:[")
        else { continue }
        if inodes.contains(String(target.dropFirst(8).dropLast())) { count += 1 }
    }
    return count
}

/// Waits (up to 3 s: closing in the background takes a moment) until no socket of `port` is
/// open in this process; returns the count left.
func socketsLeft(port: UInt16) async -> Int {
    let end = ContinuousClock.now + .seconds(3)
    while true {
        let count = openSockets(port: port)
        if count == 0 || ContinuousClock.now > end { return count }
        try? await Task.sleep(for: .milliseconds(20))
    }
}

// MARK: - Programs nobody here wrote

/// A child process with its output in files, always terminated.
final class Child: @unchecked Sendable {
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    init(_ arguments: [String], stdin: String? = nil) throws {
        let dir = PKI.files
        let id = UUID().uuidString
        stdoutPath = "\(dir)/\(id).out"
        stderrPath = "\(dir)/\(id).err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        if let stdin {
            let path = "\(dir)/\(id).in"
            try stdin.write(toFile: path, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until stdout contains `text`, up to `limit`.
    func waitForOutput(_ text: String, limit: Duration = .seconds(10)) async -> Bool {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if stdout.contains(text) { return true }
            if !process.isRunning { return stdout.contains(text) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Waits for exit up to `limit` (polling: never blocks a pool thread), then terminates.
    /// Returns the exit status, or nil if it had to be killed.
    @discardableResult
    func finish(limit: Duration = .seconds(15)) async -> Int32? {
        let end = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            process.terminate()
            while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
            return nil
        }
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// A port that was free a moment ago (for programs that cannot be told to pick one).
func freePort() throws -> UInt16 {
    let listener = try TCPListener.listen(address: "127.0.0.1:0")
    defer { try? listener.close() }
    return listener.address.port
}

/// Deterministic pseudo-random bytes.
func seededBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
    }
    return bytes
}

/// Reads until EOF (0) and returns everything.
func readAll(_ conn: some Conn, limit: Int = 1 << 24) async throws -> [UInt8] {
    var all: [UInt8] = []
    while all.count < limit {
        let chunk = try await conn.read(upToCount: 64 * 1024)
        if chunk.isEmpty { break }
        all += chunk
    }
    return all
}

/// Reads until `marker` has been seen.
func readUntil(_ conn: some Conn, _ marker: String) async throws -> String {
    var all: [UInt8] = []
    while !String(decoding: all, as: UTF8.self).contains(marker) {
        let chunk = try await conn.read(upToCount: 4096)
        if chunk.isEmpty { break }
        all += chunk
    }
    return String(decoding: all, as: UTF8.self)
}
