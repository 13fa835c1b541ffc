#if canImport(Glibc)
import Glibc
#endif

/// A file descriptor: the small number the kernel gives for an open socket, epoll instance or
/// file. Go's syscall package uses a plain `int`; this is a distinct type so that `read(fd, …)`
/// and `close(fd)` are this module's calls and not Glibc's, and so that a port number or a
/// count is never passed where a descriptor belongs.
///
/// An `FD` does not own its descriptor: nothing closes it for you. Call `close(fd)` once, as in
/// Go and C; after that the number may be reused by the next socket opened.
public struct FD: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The descriptor's number, for calls this module does not wrap.
    public let rawValue: Int32

    /// Wraps a descriptor number you already have (from Glibc, or `0`, `1`, `2`).
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Wraps a descriptor number you already have.
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// The number, as `fd 5`.
    public var description: String { "fd \(rawValue)" }

    public static func < (a: FD, b: FD) -> Bool { a.rawValue < b.rawValue }
}
