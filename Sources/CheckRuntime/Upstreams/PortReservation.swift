#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A port on 127.0.0.1 that is held but not listened on, for an upstream that is `down for` a
/// while: a connection attempt is refused (ECONNREFUSED, as when nothing is there), yet no other
/// socket can take the port meanwhile, not even as the local port of the program's own dial
/// (which would connect the program to itself). The socket has SO_REUSEADDR, as NetCore's
/// listeners do, so a listener can bind the same port while this still holds it (Linux allows
/// that while neither listens); then the reservation is released.
final class PortReservation: Sendable {
    /// `127.0.0.1:PORT`
    let address: String
    private let fd: Int32
    private let released = Atomic<Bool>(false)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PortReservationError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw PortReservationError("bind: \(reason)")
        }
        self.fd = fd
        self.address = "127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
    }

    /// Lets the port go (at most once).
    func release() {
        guard !released.exchange(true, ordering: .relaxed) else { return }
        close(fd)
    }

    deinit { release() }
}

struct PortReservationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "upstream port: " + description }
}
