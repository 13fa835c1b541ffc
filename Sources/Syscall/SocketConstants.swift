#if canImport(Glibc)
import Glibc
#endif
import CSyscall

/// An address family for `socket`: Go's `syscall.AF_INET`, `syscall.AF_INET6`.
public struct Domain: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// AF_INET: IPv4.
    public static let inet = Domain(rawValue: AF_INET)
    /// AF_INET6: IPv6.
    public static let inet6 = Domain(rawValue: AF_INET6)
}

/// A socket type and its flags, combined as the kernel combines them
/// (`SOCK_STREAM|SOCK_NONBLOCK`): `socket(.inet, [.stream, .nonblock])`. Also the flags of
/// `accept4` (`.nonblock`, `.cloexec`).
public struct SocketType: OptionSet, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// SOCK_STREAM: TCP.
    public static let stream = SocketType(rawValue: Int32(SOCK_STREAM.rawValue))
    /// SOCK_DGRAM: UDP.
    public static let datagram = SocketType(rawValue: Int32(SOCK_DGRAM.rawValue))
    /// SOCK_NONBLOCK: the new descriptor is non-blocking from the start (no `setNonblock` needed).
    public static let nonblock = SocketType(rawValue: Int32(CSYS_SOCK_NONBLOCK))
    /// SOCK_CLOEXEC: the descriptor is closed in any program this one starts with exec.
    public static let cloexec = SocketType(rawValue: Int32(CSYS_SOCK_CLOEXEC))
}

/// A socket option for `setsockoptInt`/`getsockoptInt`: a level and a name, as Go passes them
/// (`syscall.SOL_SOCKET, syscall.SO_REUSEADDR`).
public struct SocketOption: Hashable, Sendable {
    /// The level: SOL_SOCKET, IPPROTO_TCP, …
    public let level: Int32
    /// The option's name at that level: SO_REUSEADDR, TCP_NODELAY, …
    public let name: Int32
    /// Any option the named ones below do not cover.
    public init(level: Int32, name: Int32) {
        self.level = level
        self.name = name
    }

    /// SOL_SOCKET, SO_REUSEADDR: bind a listening port again at once after a restart, even
    /// while old connections on it linger in TIME_WAIT.
    public static let reuseAddr = SocketOption(level: SOL_SOCKET, name: SO_REUSEADDR)
    /// SOL_SOCKET, SO_REUSEPORT: several sockets may listen on the same port.
    public static let reusePort = SocketOption(level: SOL_SOCKET, name: SO_REUSEPORT)
    /// SOL_SOCKET, SO_KEEPALIVE.
    public static let keepAlive = SocketOption(level: SOL_SOCKET, name: SO_KEEPALIVE)
    /// SOL_SOCKET, SO_RCVBUF: the kernel's receive buffer, in bytes.
    public static let receiveBuffer = SocketOption(level: SOL_SOCKET, name: SO_RCVBUF)
    /// SOL_SOCKET, SO_SNDBUF: the kernel's send buffer, in bytes.
    public static let sendBuffer = SocketOption(level: SOL_SOCKET, name: SO_SNDBUF)
    /// SOL_SOCKET, SO_ERROR: the pending error of a socket (read it once a non-blocking connect
    /// is writable); reading it clears it.
    public static let error = SocketOption(level: SOL_SOCKET, name: SO_ERROR)
    /// IPPROTO_TCP, TCP_NODELAY: send small writes at once (no Nagle delay).
    public static let tcpNoDelay = SocketOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY)
}

/// What `shutdown` closes: Go's `syscall.SHUT_RD`, `SHUT_WR`, `SHUT_RDWR`.
public struct ShutdownHow: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// SHUT_RD: no more reading; later reads return 0.
    public static let read = ShutdownHow(rawValue: Int32(SHUT_RD))
    /// SHUT_WR: no more writing; the peer reads end of stream (a FIN) but may still send.
    public static let write = ShutdownHow(rawValue: Int32(SHUT_WR))
    /// SHUT_RDWR: both.
    public static let readWrite = ShutdownHow(rawValue: Int32(SHUT_RDWR))
}
