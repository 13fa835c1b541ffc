#if canImport(Glibc)
import Glibc
#endif
import CNetShim

extension TCPConn {
    /// Connects to `address` (`"127.0.0.1:8080"`, `"[::1]:443"`, `"localhost:8080"`).
    /// Like Go's `net.DialTimeout("tcp", address, timeout)`: the timeout bounds name
    /// resolution and connecting together; `nil` means no bound other than the kernel's.
    public static func dial(_ address: String, timeout: Duration? = nil) async throws -> TCPConn {
        try await dial(address, deadline: timeout.map { .after($0) })
    }

    /// Connects to `address`, giving up at `deadline`. Like Go's `net.Dialer{Deadline:}`.
    /// Each address a name resolves to is tried in turn; the first error is the one thrown.
    public static func dial(_ address: String, deadline: Deadline?) async throws -> TCPConn {
        let parsed = try HostPort(parsing: address, op: "dial")
        let candidates = try await Resolver.addresses(for: parsed.host, port: parsed.port, deadline: deadline, original: address)
        var firstError: NetError?
        for candidate in candidates {
            do {
                return try await connect(to: candidate, deadline: deadline)
            } catch let error as NetError {
                if error.code == .canceled || error.code == .deadlineExceeded { throw error }
                firstError = firstError ?? error
            }
        }
        throw firstError ?? NetError(.unknownHost, op: "dial", address: address)
    }

    /// One connection attempt: a non-blocking connect, then wait until writable with the
    /// deadline as the write deadline (Go does the same), read `SO_ERROR`, and confirm with
    /// `getpeername`, since a wakeup can be spurious. A connection to itself (possible when
    /// dialling a free local port) is dropped and tried again.
    static func connect(to remote: SocketAddress, deadline: Deadline?) async throws -> TCPConn {
        var attempt = 0
        while true {
            attempt += 1
            let fd = cnet_socket_nonblocking(remote.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue))
            guard fd >= 0 else { throw NetError.fromErrno("dial", address: remote.description) }
            let descriptor = try Poller.shared.register(fd: fd)
            do {
                _ = descriptor.setDeadline(deadline, for: .write)
                try await waitConnected(descriptor, to: remote)
                _ = descriptor.setDeadline(nil, for: .write)
            } catch {
                descriptor.close()
                throw error
            }
            let local = SocketAddress.of(fd: fd, peer: false) ?? .unknown
            if local == remote && attempt < 3 {
                descriptor.close()
                continue
            }
            return TCPConn(descriptor: descriptor, local: local, remote: remote)
        }
    }

    private static func waitConnected(_ descriptor: PollDesc, to remote: SocketAddress) async throws {
        func failure(_ code: NetError.Code) -> NetError {
            NetError(code, op: "dial", address: remote.description)
        }
        var started = false
        var woke = false
        while true {
            if let outcome = descriptor.begin(.write, afterWake: woke) { throw failure(outcome.errorCode) }
            var code: Int32 = 0
            if !started {
                started = true
                if remote.withSockAddr({ Glibc.connect(descriptor.fd, $0, $1) }) != 0 { code = errno }
                if code == EISCONN { code = 0 }
            } else {
                var length = socklen_t(MemoryLayout<Int32>.size)
                if getsockopt(descriptor.fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 { code = errno }
                if code == 0 && SocketAddress.of(fd: descriptor.fd, peer: true) == nil { code = EINPROGRESS }
            }
            descriptor.end()
            switch code {
            case 0:
                return
            case EINPROGRESS, EALREADY, EINTR, EAGAIN:
                let outcome = await descriptor.wait(.write)
                if outcome != .ready { throw failure(outcome.errorCode) }
                woke = true
            default:
                throw failure(.system(code))
            }
        }
    }
}
