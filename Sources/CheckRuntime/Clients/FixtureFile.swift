import CheckLanguage
import CheckResults
import Foundation
import Glibc

/// Reads a `file "…"` of a check script: a regular file whose real path (symbolic links
/// resolved) is inside the lesson folder, of at most `ScriptLimits.fileSize` bytes. A link
/// that leads out of the folder (`fixtures/link → /etc/passwd`), a folder, a FIFO or a device
/// is refused, so a lesson folder can never make netlab send a file from elsewhere or read
/// without end.
enum FixtureFile {
    /// Why a fixture cannot be used, as one sentence.
    struct Refusal: Error, Sendable, Equatable {
        var message: String
    }

    /// The bytes of `path`, relative to `lessonDirectory`.
    static func read(_ path: String, in lessonDirectory: URL) throws(Refusal) -> [UInt8] {
        guard let folder = realPath(lessonDirectory.path) else {
            throw Refusal(message: "cannot find the lesson folder \(lessonDirectory.path)")
        }
        let joined = lessonDirectory.appendingPathComponent(path).path
        guard let real = realPath(joined) else {
            throw Refusal(message: "cannot read \(path) in the lesson folder: \(String(cString: strerror(errno)))")
        }
        guard real.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") else {
            throw Refusal(message: "\(path) leads out of the lesson folder (to \(real)); a fixture must be a file inside the lesson folder")
        }
        let fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw Refusal(message: "cannot read \(path) in the lesson folder: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Refusal(message: "cannot read \(path) in the lesson folder: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw Refusal(message: "\(path) is not a regular file; a fixture must be a regular file inside the lesson folder")
        }
        guard info.st_size <= ScriptLimits.fileSize else {
            throw Refusal(message: "\(path) is \(Bytes.size(Int(info.st_size))); a fixture may have at most \(Bytes.size(ScriptLimits.fileSize))")
        }
        // Read at most one byte past the limit: the file may have grown since fstat.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else {
                throw Refusal(message: "cannot read \(path) in the lesson folder: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            count += n
        }
        guard count <= Int(info.st_size) else {
            throw Refusal(message: "\(path) changed while it was read; run the check again")
        }
        return Array(bytes.prefix(count))
    }

    /// `realpath(3)`: the absolute path with every symbolic link, `.` and `..` resolved.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
