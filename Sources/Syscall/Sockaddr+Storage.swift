#if canImport(Glibc)
import Glibc
#endif

/// The conversions between `Sockaddr` and the kernel's `sockaddr_in` / `sockaddr_in6`, which
/// are this module's business so that they are never the learner's.
extension Sockaddr {
    /// Calls `body` with this address as a `sockaddr` pointer and its length (for bind, connect).
    func withSockaddrPointer<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var storage = sockaddr_storage()
        let length: socklen_t
        if isIPv6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            sin6.sin6_scope_id = scopeID
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: ip) }
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: sin6) { raw.copyMemory(from: $0) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: ip) }
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: sin) { raw.copyMemory(from: $0) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// Reads an address the kernel filled in (accept, getsockname, getpeername); nil for a family
    /// other than IPv4 and IPv6.
    init?(storage: sockaddr_storage, length: socklen_t) {
        switch Int32(storage.ss_family) {
        case AF_INET where Int(length) >= MemoryLayout<sockaddr_in>.size:
            let sin = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            let ip = withUnsafeBytes(of: sin.sin_addr) { Array($0) }
            self.init(ip: ip, port: UInt16(bigEndian: sin.sin_port))
        case AF_INET6 where Int(length) >= MemoryLayout<sockaddr_in6>.size:
            let sin6 = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            let ip = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
            self.init(ip: ip, port: UInt16(bigEndian: sin6.sin6_port), scopeID: sin6.sin6_scope_id)
        default:
            return nil
        }
    }

    /// Calls a function that fills in an address (`accept4`, `getsockname`), and reads it.
    /// Throws the call's errno; the address is nil when it is of a family other than IPv4 and
    /// IPv6 (the caller decides what that means: accept must close the descriptor it got).
    static func filledIn(
        _ call: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) throws(SyscallError) -> (result: Int32, address: Sockaddr?) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { call($0, &length) }
        }
        if result < 0 { throw SyscallError(errno: errno) }
        return (result, Sockaddr(storage: storage, length: length))
    }
}
