#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import NetCore
import Synchronization

// MARK: - OpenSSL's error queue

/// One entry of OpenSSL's thread-local error queue.
struct OpenSSLErrorEntry: Sendable, Equatable {
    let library: Int32
    let reason: Int32
    /// OpenSSL's words for the reason ("certificate verify failed").
    let text: String
}

enum OpenSSLErrors {
    /// Takes every entry off the calling thread's error queue, oldest first.
    static func drain() -> [OpenSSLErrorEntry] {
        var entries: [OpenSSLErrorEntry] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            let text = ERR_reason_error_string(code).map { String(cString: $0) } ?? "error \(code)"
            entries.append(OpenSSLErrorEntry(library: netlab_ERR_GET_LIB(code), reason: netlab_ERR_GET_REASON(code), text: text))
        }
        return entries
    }

    /// The reasons joined for a message: "wrong version number; record layer failure".
    static func summary(_ entries: [OpenSSLErrorEntry]) -> String {
        entries.isEmpty ? "no details from OpenSSL" : entries.map(\.text).joined(separator: "; ")
    }
}

// MARK: - A growable byte buffer with a stable address

/// Bytes in one heap block that grows but never shrinks, so a conn reuses it for every record
/// instead of allocating per record. Not thread-safe: its owner guards it.
final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes after `count`.
    func reserve(extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity
        while newCapacity < count + extra { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
    var isEmpty: Bool { count == 0 }
    func removeAll() { count = 0 }

    /// Moves everything waiting in memory BIO `bio` to the end of this buffer.
    func append(draining bio: OpaquePointer) {
        while true {
            let pending = Int(BIO_ctrl_pending(bio))
            if pending <= 0 { return }
            reserve(extra: pending)
            let n = BIO_read(bio, base + count, Int32(clamping: pending))
            if n <= 0 { return }
            count += Int(n)
        }
    }
}

// MARK: - Locks

/// A plain mutex for the OpenSSL engine: held only around `SSL_*` calls, never across an await.
final class EngineLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

// MARK: - Files, memory BIOs, addresses

enum FileIO {
    /// The whole file, or a `TLSError(.file)` that names it and says why not.
    static func read(_ path: String, what: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TLSError(.file, "cannot read the \(what) \(path): \(errnoText())") }
        defer { _ = Glibc.close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TLSError(.file, "cannot read the \(what) \(path): \(errnoText())")
            }
            if n == 0 { return result }
            result.append(contentsOf: chunk[..<n])
            if result.count > 16 * 1024 * 1024 { throw TLSError(.file, "the \(what) \(path) is larger than 16 MiB") }
        }
    }

    /// Writes `bytes` to `path` with permission `mode`, set before any byte is written (so a
    /// private key never sits in a file others can read, even when the file existed).
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t, what: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw TLSError(.file, "cannot write the \(what) \(path): \(errnoText())") }
        defer { _ = Glibc.close(fd) }
        guard fchmod(fd, mode) == 0 else { throw TLSError(.file, "cannot set the mode of \(path): \(errnoText())") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TLSError(.file, "cannot write the \(what) \(path): \(errnoText())")
            }
            written += n
        }
    }

    static func errnoText() -> String {
        guard let text = strerror(errno) else { return "errno \(errno)" }
        return String(cString: text)
    }
}

enum MemoryBIO {
    /// A read-only memory BIO over a copy of `bytes`, for the PEM readers. Free with `BIO_free`.
    static func reading(_ bytes: [UInt8]) -> OpaquePointer? {
        let bio = BIO_new(BIO_s_mem())
        guard let bio else { return nil }
        if !bytes.isEmpty {
            _ = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
        }
        return bio
    }

    /// Runs `body` with a fresh memory BIO and returns what it wrote there.
    static func collect(_ body: (OpaquePointer) -> Int32) -> [UInt8]? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard body(bio) > 0 else { return nil }
        var data: UnsafeMutablePointer<CChar>?
        let length = netlab_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: length))
    }
}

enum IPAddress {
    /// The 4 or 16 bytes of an IP literal ("127.0.0.1", "::1", "[::1]"), or nil for a name.
    static func parse(_ text: String) -> [UInt8]? {
        var host = text
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// "127.0.0.1" or "::1" for 4 or 16 bytes.
    static func format(_ bytes: [UInt8]) -> String {
        var text = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard bytes.count == 4 || bytes.count == 16,
              bytes.withUnsafeBytes({ inet_ntop(family, $0.baseAddress, &text, 64) }) != nil else {
            return bytes.map { String($0) }.joined(separator: ".")
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// ALPN protocol names in the wire format: each name preceded by its one-byte length.
func alpnWireFormat(_ protocols: [String]) throws -> [UInt8] {
    var wire: [UInt8] = []
    for name in protocols {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 255 else {
            throw TLSError(.configuration, "ALPN protocol name \"\(name)\" must be 1 to 255 bytes long")
        }
        wire.append(UInt8(bytes.count))
        wire += bytes
    }
    return wire
}

/// Two lower-case hex digits.
func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
}
