#if canImport(Glibc)
import Glibc
#endif

/// A failed system call's errno, as a Swift error you can match. Like Go's `syscall.Errno`.
///
/// The errnos a server meets every day have a case of their own; every other one is
/// `.other(errno)`. The description is the system's message, as Go's `Errno.Error()` gives it:
/// `resource temporarily unavailable`, `connection reset by peer`.
///
/// ```swift
/// do {
///     let n = try read(fd, &buffer)
///     …
/// } catch SyscallError.wouldBlock {
///     // EAGAIN: nothing to read yet on a non-blocking socket; try again later
/// } catch SyscallError.connectionReset {
///     // ECONNRESET: the peer reset the connection; close it
/// }
/// ```
///
/// Every function of this module throws only this type (`throws(SyscallError)`). A `do` block's
/// error is still `any Error` in Swift 6, so a `catch` names the type with the case:
/// `catch SyscallError.wouldBlock`. `SyscallError(errno:)` picks
/// the named case whenever there is one, and two values are equal when their errnos are, so
/// `.other(EAGAIN) == .wouldBlock`.
public enum SyscallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// EAGAIN (the same number as EWOULDBLOCK on Linux): a non-blocking call found nothing to do
    /// yet: no byte to read, no room to write, no connection to accept. Go: `syscall.EAGAIN`.
    case wouldBlock
    /// EINTR: a signal arrived while the call waited; nothing happened, call it again.
    /// Go: `syscall.EINTR`.
    case interrupted
    /// ECONNRESET: the peer reset the connection (it closed with unread data, or sent RST).
    /// Go: `syscall.ECONNRESET`.
    case connectionReset
    /// EPIPE: a write to a connection whose peer has gone (SIGPIPE is ignored in lesson
    /// programs, so this is an error, not death). Go: `syscall.EPIPE`.
    case brokenPipe
    /// ECONNREFUSED: nothing listens at the address connected to. Go: `syscall.ECONNREFUSED`.
    case connectionRefused
    /// EADDRINUSE: bind found the address taken. Go: `syscall.EADDRINUSE`.
    case addressInUse
    /// Any other errno: `.other(EBADF)`, `.other(EINVAL)`, …
    case other(Int32)

    /// The error for an errno value: its named case when it has one, else `.other(errno)`.
    public init(errno code: Int32) {
        switch code {
        case EAGAIN: self = .wouldBlock
        case EINTR: self = .interrupted
        case ECONNRESET: self = .connectionReset
        case EPIPE: self = .brokenPipe
        case ECONNREFUSED: self = .connectionRefused
        case EADDRINUSE: self = .addressInUse
        default: self = .other(code)
        }
    }

    /// The errno value.
    public var errno: Int32 {
        switch self {
        case .wouldBlock: return EAGAIN
        case .interrupted: return EINTR
        case .connectionReset: return ECONNRESET
        case .brokenPipe: return EPIPE
        case .connectionRefused: return ECONNREFUSED
        case .addressInUse: return EADDRINUSE
        case .other(let code): return code
        }
    }

    /// The system's message for the errno, with a lower-case first letter as Go prints it:
    /// `connection reset by peer`, `bad file descriptor`.
    public var description: String {
        guard let text = strerror(errno).map({ String(cString: $0) }), let first = text.first else {
            return "errno \(errno)"
        }
        return first.lowercased() + text.dropFirst()
    }

    /// Equal when the errnos are.
    public static func == (a: SyscallError, b: SyscallError) -> Bool { a.errno == b.errno }

    public func hash(into hasher: inout Hasher) { hasher.combine(errno) }
}

/// The result of a call that returns -1 and sets errno on failure, or the error.
@inline(__always)
func check<T: BinaryInteger>(_ result: T) throws(SyscallError) -> T {
    if result < 0 { throw SyscallError(errno: Glibc.errno) }
    return result
}
