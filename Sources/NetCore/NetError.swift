#if canImport(Glibc)
import Glibc
#endif

/// The one error type of NetCore. Like Go's `*net.OpError`: it names the operation, the
/// addresses involved, and the cause, and it carries how many bytes moved before it happened
/// (Go returns `(n, err)`; Swift throws, so the count travels in the error).
public struct NetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable, Hashable {
        /// The conn or listener was closed. Like Go's `net.ErrClosed`.
        case closed
        /// A deadline passed. Like Go's `os.ErrDeadlineExceeded` ("i/o timeout").
        case deadlineExceeded
        /// The calling task was cancelled while the operation waited. No byte was lost.
        case canceled
        /// The stream ended before the bytes that were asked for. Like Go's `io.ErrUnexpectedEOF`.
        case unexpectedEOF
        /// An address that does not parse, or that names no usable host or port.
        case invalidAddress
        /// A host name that resolution could not turn into an address.
        case unknownHost
        /// An error reported by the operating system, with its errno.
        case system(Int32)
    }

    public var code: Code
    /// The operation, as Go names it: "read", "write", "accept", "dial", "listen", "close", "splice"…
    public var op: String
    /// The address the operation was about, if any ("127.0.0.1:80", or "127.0.0.1:5->127.0.0.1:80").
    public var address: String?
    /// Extra words, e.g. what exactly did not parse.
    public var detail: String?
    /// Bytes transferred before the error (a write or copy that failed part-way).
    public var bytesTransferred: Int

    public init(_ code: Code, op: String = "", address: String? = nil, detail: String? = nil, bytesTransferred: Int = 0) {
        self.code = code
        self.op = op
        self.address = address
        self.detail = detail
        self.bytesTransferred = bytesTransferred
    }

    /// Like Go's `net.Error.Timeout()`.
    public var isTimeout: Bool { code == .deadlineExceeded }

    /// Like Go's `Temporary()`: timeouts, and the accept errors a server should back off and
    /// retry (EMFILE, ENFILE, ENOBUFS, ENOMEM, ECONNRESET and ECONNABORTED).
    public var isTemporary: Bool {
        switch code {
        case .deadlineExceeded: return true
        case .system(let e): return [EMFILE, ENFILE, ENOBUFS, ENOMEM, ECONNRESET, ECONNABORTED].contains(e)
        default: return false
        }
    }

    /// True when the process or the system ran out of descriptors (EMFILE or ENFILE).
    var isOutOfDescriptors: Bool { code == .system(EMFILE) || code == .system(ENFILE) }

    /// True when the peer reset the connection (ECONNRESET): an RST, not an orderly EOF.
    public var isConnectionReset: Bool { code == .system(ECONNRESET) }
    /// True when nothing listened at the dialled address (ECONNREFUSED).
    public var isConnectionRefused: Bool { code == .system(ECONNREFUSED) }

    /// What a log line or a transcript says of any error: a ``NetError``'s ``reason`` (the
    /// cause alone, as lesson READMEs promise it: "connection reset by peer"), anything else's
    /// description. LessonKit's `Log.reason` and the checker both say it this way.
    public static func reason(of error: any Error) -> String {
        if let net = error as? NetError { return net.reason }
        return "\(error)"
    }

    /// The cause alone, in Go's words ("i/o timeout", "connection reset by peer", …).
    public var reason: String {
        switch code {
        case .closed: return "use of closed network connection"
        case .deadlineExceeded: return "i/o timeout"
        case .canceled: return "operation was canceled"
        case .unexpectedEOF: return "unexpected EOF"
        case .invalidAddress: return detail ?? "invalid address"
        case .unknownHost: return detail ?? "no such host"
        case .system(let e): return NetError.describe(errno: e)
        }
    }

    /// Go's layout: `read tcp 127.0.0.1:5->127.0.0.1:80: i/o timeout`.
    public var description: String {
        var parts: [String] = []
        if !op.isEmpty { parts.append(op + " tcp" + (address.map { " " + $0 } ?? "")) } else if let address { parts.append(address) }
        if case .invalidAddress = code {
        } else if case .unknownHost = code {
        } else if let detail {
            parts.append(detail)
        }
        parts.append(reason)
        return parts.joined(separator: ": ")
    }

    /// Lower-case messages for the errno values a network program meets, as Go prints them.
    static func describe(errno e: Int32) -> String {
        switch e {
        case ECONNRESET: return "connection reset by peer"
        case ECONNREFUSED: return "connection refused"
        case EPIPE: return "broken pipe"
        case ETIMEDOUT: return "connection timed out"
        case EHOSTUNREACH: return "no route to host"
        case ENETUNREACH: return "network is unreachable"
        case EADDRINUSE: return "address already in use"
        case EADDRNOTAVAIL: return "cannot assign requested address"
        case EMFILE: return "too many open files"
        case ENFILE: return "too many open files in system"
        case ECONNABORTED: return "software caused connection abort"
        case ENOTCONN: return "transport endpoint is not connected"
        case EACCES: return "permission denied"
        default:
            guard let text = strerror(e) else { return "errno \(e)" }
            let s = String(cString: text)
            return s.prefix(1).lowercased() + s.dropFirst()
        }
    }

    /// The error for the current `errno`.
    static func fromErrno(_ op: String, address: String? = nil, bytes: Int = 0) -> NetError {
        NetError(.system(errno), op: op, address: address, bytesTransferred: bytes)
    }
}
