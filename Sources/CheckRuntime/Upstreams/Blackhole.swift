#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The `blackhole` upstream: an address where a dial never completes, on loopback, without
/// firewall rules. It listens with a backlog of 0 and never accepts, and one connection of its
/// own fills that queue; from then on Linux drops every new SYN (the listen queue overflows),
/// and a client's connect waits, resending its SYN, until the client's own timeout, or until
/// the kernel gives up after about two minutes. That is what a host that dropped packets would
/// do, and what a dial without a timeout cannot survive.
final class Blackhole: Sendable {
    /// `127.0.0.1:PORT`
    let address: String
    private let listenFD: Int32
    private let fillerFD: Int32
    private let stopped = Atomic<Bool>(false)

    init() throws {
        let listenFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listenFD >= 0 else { throw BlackholeError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listenFD, pointer, length) == 0 && listen(listenFD, 0) == 0
                    && getsockname(listenFD, pointer, &length) == 0
            }
        }
        guard bound else {
            let reason = String(cString: strerror(errno))
            close(listenFD)
            throw BlackholeError("listen: \(reason)")
        }
        // The filler: non-blocking, so nothing waits here. On loopback the handshake completes
        // inside connect (the listener's SYN-ACK and the ACK are handled before it returns), so
        // the queue is full before any program is started; EINPROGRESS is fine too.
        let fillerFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        let connected =
            fillerFD >= 0
            && withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fillerFD, $0, length) == 0 || errno == EINPROGRESS }
            }
        guard connected else {
            let reason = String(cString: strerror(errno))
            if fillerFD >= 0 { close(fillerFD) }
            close(listenFD)
            throw BlackholeError("connect: \(reason)")
        }
        self.listenFD = listenFD
        self.fillerFD = fillerFD
        self.address = "127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
    }

    /// Closes the listener (a client still waiting then gets a reset, and fails) and the filler.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }  // never close twice
        close(fillerFD)
        close(listenFD)
    }
}

struct BlackholeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "blackhole upstream: " + description }
}
