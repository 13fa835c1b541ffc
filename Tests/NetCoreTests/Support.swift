import Foundation
import Testing
@testable import NetCore

/// A listener with one connection accepted: `client` dialled it, `server` is the accepted end.
struct Pair {
    let listener: TCPListener
    let client: TCPConn
    let server: TCPConn

    static func make() async throws -> Pair {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        async let accepted = listener.accept()
        let client = try await TCPConn.dial(listener.address.description, timeout: .seconds(30))
        return Pair(listener: listener, client: client, server: try await accepted)
    }

    func closeAll() {
        try? client.close()
        try? server.close()
        try? listener.close()
    }
}

/// The kinds of conn the semantics tests run against.
enum ConnKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case tcp
    case prefix
    case tee

    var testDescription: String { rawValue }

    /// The server end of `pair`, as this kind of conn (a PrefixConn with an empty prefix, and a
    /// TeeConn, must behave exactly like the conn they wrap).
    func wrap(_ conn: TCPConn) -> any Conn {
        switch self {
        case .tcp: return conn
        case .prefix: return PrefixConn(prefix: [], base: conn)
        case .tee: return TeeConn(base: conn)
        }
    }
}

/// Deterministic pseudo-random bytes (SplitMix64), so a failure can be reproduced.
/// Written to be quick even in a debug build: tests run on the cooperative pool, which has
/// only two threads on CI, and a slow generator there would stall every other test.
func seededBytes(_ count: Int, seed: UInt64 = 0x5eed) -> [UInt8] {
    let words = (count + 7) / 8
    var state = seed
    let generated = [UInt64](unsafeUninitializedCapacity: words) { buffer, initialized in
        for i in 0..<words {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
            buffer[i] = z ^ (z &>> 31)
        }
        initialized = words
    }
    return generated.withUnsafeBytes { Array($0.prefix(count)) }
}

/// Byte-for-byte equality through memcmp (Array's `==` is slow in a debug build).
func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, a.count) == 0 } }
}

/// Reads until end of stream (or `limit` bytes) and returns everything read.
func readAll(_ conn: any Conn, limit: Int = .max) async throws -> [UInt8] {
    var out = [UInt8]()
    while out.count < limit {
        let chunk = try await conn.read(upToCount: min(64 * 1024, limit - out.count))
        if chunk.isEmpty { break }
        out += chunk
    }
    return out
}

/// Asserts that `body` throws a NetError with `code`, and returns it.
@discardableResult
func expectNetError(_ code: NetError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> NetError? {
    do {
        try await body()
        Issue.record("expected NetError \(code), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as NetError {
        #expect(error.code == code, "expected \(code), got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected NetError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Seconds elapsed while running `body`.
func measure(_ body: () async throws -> Void) async rethrows -> Duration {
    let start = ContinuousClock.now
    try await body()
    return ContinuousClock.now - start
}

/// Open descriptors of this process that are TCP sockets with `port` at either end. Other
/// tests run in parallel in this process, so a whole-process fd count would be noisy; sockets
/// are told apart by port through /proc/net/tcp{,6} and their inodes.
func socketsInvolving(port: UInt16) -> Int {
    var inodes = Set<String>()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        guard let text = readProcFile(table) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9 else { continue }
            let ports = [fields[1], fields[2]].compactMap { $0.split(separator: ":").last.flatMap { UInt16($0, radix: 16) } }
            if ports.contains(port) { inodes.insert(String(fields[9])) }
        }
    }
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.filter { fd in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"),
            target.hasPrefix("socket:[")
        else { return false }
        return inodes.contains(String(target.dropFirst(8).dropLast()))
    }.count
}

/// Waits up to `within` for `condition` to hold, checking every 10 ms.
func eventually(within: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// Reads a /proc file, whose reported size is 0, by reading until end of file.
func readProcFile(_ path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    guard let data = try? handle.readToEnd() else { return nil }
    return String(decoding: data, as: UTF8.self)
}
