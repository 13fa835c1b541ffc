#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address and a port. Like Go's `*net.TCPAddr`; its `description` is the
/// form Go prints and parses: `127.0.0.1:8080`, `[::1]:8080`.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address's bytes in network order, inline: an IPv4 address fills the first 4. Kept
    /// in two words rather than an array so that a conn's two addresses cost no allocation
    /// (part of what an idle connection costs).
    private let ipBytes: (UInt64, UInt64)
    public let port: UInt16
    /// The IPv6 zone (interface index), 0 when none.
    public let scopeID: UInt32
    public let isIPv6: Bool

    /// The IP address: 4 bytes for IPv4, 16 for IPv6.
    public var ip: [UInt8] {
        withUnsafeBytes(of: ipBytes) { Array($0.prefix(isIPv6 ? 16 : 4)) }
    }

    public init?(ip: [UInt8], port: UInt16, scopeID: UInt32 = 0) {
        guard ip.count == 4 || ip.count == 16 else { return nil }
        var raw: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: ip) }
        ipBytes = raw
        isIPv6 = ip.count == 16
        self.port = port
        self.scopeID = scopeID
    }

    public static func == (a: SocketAddress, b: SocketAddress) -> Bool {
        a.ipBytes == b.ipBytes && a.isIPv6 == b.isIPv6 && a.port == b.port && a.scopeID == b.scopeID
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ipBytes.0)
        hasher.combine(ipBytes.1)
        hasher.combine(isIPv6)
        hasher.combine(port)
        hasher.combine(scopeID)
    }

    /// The IP address alone, without the port: `127.0.0.1`, `::1`.
    public var host: String {
        // On the stack: a server logs its peers' addresses on every accept and close.
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { text in
            text[0] = 0
            let family = isIPv6 ? AF_INET6 : AF_INET
            _ = withUnsafeBytes(of: ipBytes) { inet_ntop(family, $0.baseAddress, text.baseAddress, socklen_t(text.count)) }
            return String(cString: text.baseAddress!)
        }
    }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses an IP literal (no name resolution): `127.0.0.1`, `::1`.
    static func parseIP(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Calls `body` with this address as a `sockaddr` and its length.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        if isIPv6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            sa.sin6_scope_id = scopeID
            withUnsafeMutableBytes(of: &sa.sin6_addr) { dst in withUnsafeBytes(of: ipBytes) { dst.copyBytes(from: $0.prefix(16)) } }
            return withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        withUnsafeMutableBytes(of: &sa.sin_addr) { dst in withUnsafeBytes(of: ipBytes) { dst.copyBytes(from: $0.prefix(4)) } }
        return withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// Reads a `sockaddr_in` or `sockaddr_in6` from raw storage.
    init?(storage: UnsafeRawPointer) {
        let family = storage.load(as: sockaddr.self).sa_family
        if family == sa_family_t(AF_INET) {
            let sa = storage.load(as: sockaddr_in.self)
            var addr = sa.sin_addr
            self.init(ip: withUnsafeBytes(of: &addr) { Array($0) }, port: UInt16(bigEndian: sa.sin_port))
        } else if family == sa_family_t(AF_INET6) {
            let sa = storage.load(as: sockaddr_in6.self)
            var addr = sa.sin6_addr
            self.init(ip: withUnsafeBytes(of: &addr) { Array($0) }, port: UInt16(bigEndian: sa.sin6_port), scopeID: sa.sin6_scope_id)
        } else {
            return nil
        }
    }

    /// The local (getsockname) or remote (getpeername) address of a socket.
    static func of(fd: Int32, peer: Bool) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
            }
        }
        guard rc == 0 else { return nil }
        return withUnsafeBytes(of: &storage) { SocketAddress(storage: $0.baseAddress!) }
    }

    /// The unspecified address used in place of an unknown one.
    static let unknown = SocketAddress(ip: [0, 0, 0, 0], port: 0)!
}

/// A `host:port` string split into its parts, as Go's `net.SplitHostPort` does.
struct HostPort: Sendable {
    var host: String
    var port: UInt16

    /// Splits and checks `text`; every failure is a `.invalidAddress` error quoting it.
    init(parsing text: String, op: String) throws {
        func fail(_ why: String) -> NetError {
            NetError(.invalidAddress, op: op, address: nil, detail: "address \"\(text)\": \(why)")
        }
        if text.isEmpty { throw fail("missing address; expected HOST:PORT such as 127.0.0.1:8080") }
        guard let colon = text.lastIndex(of: ":") else {
            throw fail("missing port in address; expected HOST:PORT such as 127.0.0.1:8080")
        }
        var host = String(text[..<colon])
        let portText = String(text[text.index(after: colon)...])
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count >= 2 else { throw fail("missing ']' in address") }
            host = String(host.dropFirst().dropLast())
            guard host.contains(":") || SocketAddress.parseIP(host) != nil else {
                throw fail("brackets are only for IPv6 addresses")
            }
        } else if host.contains(":") {
            throw fail("too many colons in address; write IPv6 addresses in brackets, like [::1]:8080")
        } else if host.contains("[") || host.contains("]") {
            throw fail("unexpected bracket in address")
        }
        guard !portText.isEmpty else { throw fail("missing port after ':'") }
        guard portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), let port = Int(portText), port <= 65535 else {
            throw fail("invalid port \"\(portText)\" (expected a number from 0 to 65535)")
        }
        self.host = host
        self.port = UInt16(port)
    }
}
