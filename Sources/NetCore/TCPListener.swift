#if canImport(Glibc)
import Glibc
#endif
import CNetShim

/// A TCP listener. Like Go's `*net.TCPListener`: `accept` parks on the poller, a deadline
/// bounds it, and `close` wakes a pending `accept` with `.closed`.
public final class TCPListener: Sendable {
    let descriptor: PollDesc
    let acceptLock = AsyncLock()
    /// The address the listener is bound to; with port 0 in the request, the port the kernel chose.
    public let address: SocketAddress

    /// Listens on `address` (`"127.0.0.1:8080"`, `"[::1]:0"`, `"localhost:0"`, `":8080"`).
    /// The host must be an IP literal, `localhost`, or empty for all interfaces (IPv6 and IPv4).
    /// Port 0 picks a free port. Like Go's `net.Listen("tcp", address)`.
    public static func listen(address: String, backlog: Int32 = 4096) throws -> TCPListener {
        let parsed = try HostPort(parsing: address, op: "listen")
        let candidates: [[UInt8]]
        switch parsed.host {
        case "": candidates = [[UInt8](repeating: 0, count: 16), [0, 0, 0, 0]]
        case "localhost": candidates = [[127, 0, 0, 1]]
        default:
            guard let ip = SocketAddress.parseIP(parsed.host) else {
                throw NetError(
                    .invalidAddress, op: "listen",
                    detail:
                        "address \"\(address)\": listen needs an IP address, localhost, or nothing before the port")
            }
            candidates = [ip]
        }
        var firstError: NetError?
        for ip in candidates {
            do {
                return try TCPListener(bindingTo: SocketAddress(ip: ip, port: parsed.port)!, backlog: backlog, dualStack: parsed.host.isEmpty)
            } catch let error as NetError {
                firstError = firstError ?? error
            }
        }
        throw firstError!
    }

    private init(bindingTo requested: SocketAddress, backlog: Int32, dualStack: Bool) throws {
        let fd = cnet_socket_nonblocking(requested.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue))
        guard fd >= 0 else { throw NetError.fromErrno("listen", address: requested.description) }
        var one: Int32 = 1
        var zero: Int32 = 0
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if dualStack { _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size)) }
        func fail(_ step: String) -> NetError {
            let error = NetError(.system(errno), op: "listen", address: requested.description, detail: step)
            _ = Glibc.close(fd)
            return error
        }
        if requested.withSockAddr({ bind(fd, $0, $1) }) != 0 { throw fail("bind") }
        if Glibc.listen(fd, backlog) != 0 { throw fail("listen") }
        address = SocketAddress.of(fd: fd, peer: false) ?? requested
        descriptor = try Poller.shared.register(fd: fd)
    }

    deinit { descriptor.close() }

    /// Waits for and returns the next connection. Like Go's `Accept`: ECONNABORTED is retried;
    /// EMFILE, ENFILE, ENOBUFS and ENOMEM throw an error whose `isTemporary` is true, so a
    /// server can back off and try again (see `serve`). On EMFILE and ENFILE it first gives
    /// NetCore's spare descriptor back to the process (`SpareDescriptor`), so that a server at
    /// its limit still has one free while it waits to retry.
    public func accept() async throws -> TCPConn {
        try await acceptLock.lock()
        defer { acceptLock.unlock() }
        let wildcard = address.ip.allSatisfy { $0 == 0 }
        var woke = false
        SpareDescriptor.reclaim()
        while true {
            if let failure = descriptor.begin(.read, afterWake: woke) { throw error(failure) }
            var storage = sockaddr_storage()
            var length = UInt32(MemoryLayout<sockaddr_storage>.size)
            let fd = cnet_accept4(descriptor.fd, &storage, &length)
            let code = errno
            descriptor.end()
            if fd >= 0 {
                let remote = withUnsafeBytes(of: &storage) { SocketAddress(storage: $0.baseAddress!) }
                return try TCPConn(socket: fd, local: wildcard ? nil : address, remote: remote)
            }
            switch code {
            case EINTR, ECONNABORTED:
                continue
            case EAGAIN:
                let outcome = await descriptor.wait(.read)
                if outcome != .ready { throw error(outcome) }
                woke = true
            case EMFILE, ENFILE:
                SpareDescriptor.release()
                throw NetError(.system(code), op: "accept", address: address.description)
            default:
                throw NetError(.system(code), op: "accept", address: address.description)
            }
        }
    }

    /// Sets the deadline for pending and future `accept` calls; `nil` clears it.
    /// Like Go's `SetDeadline` on a `*net.TCPListener`.
    public func setDeadline(_ deadline: Deadline?) throws {
        if !descriptor.setDeadline(deadline, for: .read) { throw error(.closed) }
    }

    /// Stops listening; a pending `accept` wakes with `.closed`. The port is free again when
    /// this returns (unless an `accept` syscall is running at this very instant, in which case
    /// it is freed as that syscall returns). A second close throws `.closed`.
    public func close() throws {
        if !descriptor.close() { throw error(.closed, op: "close") }
    }

    private func error(_ result: WaitResult, op: String = "accept") -> NetError {
        NetError(result.errorCode, op: op, address: address.description)
    }
}
