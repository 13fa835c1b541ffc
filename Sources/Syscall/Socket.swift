#if canImport(Glibc)
import Glibc
#endif
import CSyscall

// The socket calls, one thin wrapper each: the same arguments as the system call, a typed
// descriptor and address, and errno thrown as a SyscallError. Nothing is retried or hidden.

/// socket(2): a new, unbound socket. Like Go's `syscall.Socket`.
///
/// ```swift
/// let fd = try socket(.inet, .stream)                  // blocking
/// let fd = try socket(.inet, [.stream, .nonblock])     // non-blocking from the start
/// ```
public func socket(_ domain: Domain, _ type: SocketType, _ proto: Int32 = 0) throws(SyscallError) -> FD {
    FD(try check(Glibc.socket(domain.rawValue, type.rawValue, proto)))
}

/// setsockopt(2) with an integer value: `try setsockoptInt(fd, .reuseAddr, 1)`.
/// Like Go's `syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)`.
public func setsockoptInt(_ fd: FD, _ option: SocketOption, _ value: Int32) throws(SyscallError) {
    var value = value
    _ = try check(Glibc.setsockopt(fd.rawValue, option.level, option.name, &value, socklen_t(MemoryLayout<Int32>.size)))
}

/// getsockopt(2) of an integer option. Like Go's `syscall.GetsockoptInt`.
public func getsockoptInt(_ fd: FD, _ option: SocketOption) throws(SyscallError) -> Int32 {
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    _ = try check(Glibc.getsockopt(fd.rawValue, option.level, option.name, &value, &length))
    return value
}

/// bind(2): gives the socket its local address (port 0: the kernel picks a free port; read it
/// back with `getsockname`). Like Go's `syscall.Bind`.
public func bind(_ fd: FD, _ address: Sockaddr) throws(SyscallError) {
    _ = try check(address.withSockaddrPointer { Glibc.bind(fd.rawValue, $0, $1) })
}

/// listen(2): makes a bound socket a listener whose queue of connections not yet accepted holds
/// up to `backlog` (the kernel caps it at net.core.somaxconn). Like Go's `syscall.Listen`.
public func listen(_ fd: FD, _ backlog: Int32) throws(SyscallError) {
    _ = try check(Glibc.listen(fd.rawValue, backlog))
}

/// accept4(2): takes the next connection from a listener's queue and returns its new
/// descriptor and the peer's address. `flags` may hold `.nonblock` (the new socket is
/// non-blocking) and `.cloexec`. A blocking listener waits for a connection; a non-blocking one
/// throws `.wouldBlock` when the queue is empty. Like Go's `syscall.Accept4`.
public func accept4(_ fd: FD, _ flags: SocketType) throws(SyscallError) -> (FD, Sockaddr) {
    let (result, address) = try Sockaddr.filledIn { csys_accept4(fd.rawValue, $0, $1, flags.rawValue) }
    guard let address else {
        _ = Glibc.close(result)
        throw SyscallError(errno: EAFNOSUPPORT)
    }
    return (FD(result), address)
}

/// accept(2): `accept4` without flags; the new socket is blocking whatever the listener is.
/// Like Go's `syscall.Accept`.
public func accept(_ fd: FD) throws(SyscallError) -> (FD, Sockaddr) {
    try accept4(fd, [])
}

/// connect(2): connects a socket to a listening address. A blocking socket waits until the
/// connection is made; a non-blocking one throws `.other(EINPROGRESS)` at once, becomes
/// writable when done, and `getsockoptInt(fd, .error)` then says how it went.
/// Like Go's `syscall.Connect`.
public func connect(_ fd: FD, _ address: Sockaddr) throws(SyscallError) {
    _ = try check(address.withSockaddrPointer { Glibc.connect(fd.rawValue, $0, $1) })
}

/// getsockname(2): the socket's own address (the port bind picked). Like Go's
/// `syscall.Getsockname`.
public func getsockname(_ fd: FD) throws(SyscallError) -> Sockaddr {
    let (_, address) = try Sockaddr.filledIn { Glibc.getsockname(fd.rawValue, $0, $1) }
    guard let address else { throw SyscallError(errno: EAFNOSUPPORT) }
    return address
}

/// getpeername(2): the address of the connected peer. Like Go's `syscall.Getpeername`.
public func getpeername(_ fd: FD) throws(SyscallError) -> Sockaddr {
    let (_, address) = try Sockaddr.filledIn { Glibc.getpeername(fd.rawValue, $0, $1) }
    guard let address else { throw SyscallError(errno: EAFNOSUPPORT) }
    return address
}

/// shutdown(2): closes one or both directions of a connection without closing the descriptor
/// (`.write` sends the peer end of stream and keeps reading). Like Go's `syscall.Shutdown`.
public func shutdown(_ fd: FD, _ how: ShutdownHow) throws(SyscallError) {
    _ = try check(Glibc.shutdown(fd.rawValue, how.rawValue))
}
