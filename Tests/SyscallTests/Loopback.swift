import Glibc
import Syscall

/// Sockets on loopback for the tests. Every socket gets 5 s receive and send timeouts, so that a
/// blocking call a test gets wrong fails with `.wouldBlock` instead of hanging the run; the
/// tests only make blocking calls whose answer is already there.
enum Loopback {
    /// A listening socket on 127.0.0.1 (or ::1) with a port the kernel picked, and its address.
    static func listener(ipv6: Bool = false, flags: SocketType = []) throws -> (FD, Sockaddr) {
        let address = try Sockaddr(ipv6 ? "[::1]:0" : "127.0.0.1:0")
        let fd = try socket(address.domain, [.stream, .cloexec, flags])
        bounded(fd)
        try setsockoptInt(fd, .reuseAddr, 1)
        try bind(fd, address)
        try listen(fd, 16)
        return (fd, try getsockname(fd))
    }

    /// A connected pair: the client's socket and the one the listener accepted (with `flags`).
    static func pair(ipv6: Bool = false, acceptFlags: SocketType = []) throws -> Pair {
        let (listener, address) = try listener(ipv6: ipv6)
        defer { try? close(listener) }
        let client = try socket(address.domain, [.stream, .cloexec])
        bounded(client)
        try connect(client, address)  // loopback: the handshake is done before connect returns
        let (server, peer) = try accept4(listener, acceptFlags)
        bounded(server)
        return Pair(client: client, server: server, peer: peer, listenAddress: address)
    }

    /// Sets 5 s SO_RCVTIMEO and SO_SNDTIMEO.
    static func bounded(_ fd: FD) {
        var limit = timeval(tv_sec: 5, tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &limit, size)
        setsockopt(fd.rawValue, SOL_SOCKET, SO_SNDTIMEO, &limit, size)
    }

    /// Closes `fd` with SO_LINGER 0: the peer gets a reset (RST), not an end of stream.
    static func reset(_ fd: FD) throws {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd.rawValue, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        try close(fd)
    }

    /// Whether the machine has IPv6 loopback.
    static var hasIPv6: Bool {
        guard let fd = try? socket(.inet6, .stream) else { return false }
        defer { try? close(fd) }
        return (try? bind(fd, Sockaddr("[::1]:0"))) != nil
    }

    /// Whether `fd` is an open descriptor.
    static func isOpen(_ fd: FD) -> Bool { fcntl(fd.rawValue, F_GETFD) >= 0 }
}

/// Two connected sockets on loopback.
struct Pair {
    let client: FD
    let server: FD
    /// The client's address as accept4 gave it.
    let peer: Sockaddr
    let listenAddress: Sockaddr

    func close() {
        try? Syscall.close(client)
        try? Syscall.close(server)
    }
}
