#if canImport(Glibc)
import Glibc
#endif

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
