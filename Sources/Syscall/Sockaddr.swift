#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 socket address: an IP and a port, written and read as text
/// (`127.0.0.1:8080`, `[::1]:8080`), never as a `sockaddr` struct to fill in by hand.
/// Like Go's `syscall.Sockaddr` (`*SockaddrInet4`, `*SockaddrInet6`).
///
/// ```swift
/// let addr = try Sockaddr("127.0.0.1:0")
/// let fd = try socket(addr.domain, .stream)
/// try bind(fd, addr)
/// print(try getsockname(fd))              // 127.0.0.1:41234
/// ```
public struct Sockaddr: Hashable, Sendable, CustomStringConvertible {
    /// The address's IP: 4 bytes for IPv4, 16 for IPv6 (Go: the `Addr` field).
    public let ip: [UInt8]
    /// The port (Go: `Port`); 0 asks bind for a free one.
    public var port: UInt16
    /// The IPv6 scope (interface index) of a link-local address, else 0 (Go: `ZoneId`).
    public let scopeID: UInt32

    /// An IPv4 address: `Sockaddr(ipv4: 127, 0, 0, 1, port: 8080)` (Go: `SockaddrInet4`).
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) {
        ip = [a, b, c, d]
        self.port = port
        scopeID = 0
    }

    /// An address from its IP bytes: 4 for IPv4, 16 for IPv6; nil for any other count.
    public init?(ip: [UInt8], port: UInt16, scopeID: UInt32 = 0) {
        guard ip.count == 4 || ip.count == 16 else { return nil }
        self.ip = ip
        self.port = port
        self.scopeID = ip.count == 16 ? scopeID : 0
    }

    /// Parses `HOST:PORT`: `127.0.0.1:8080`, `[::1]:8080`, `[fe80::1%2]:80`; the host
    /// `localhost` is 127.0.0.1, and an empty host (`:8080`) is 0.0.0.0, every IPv4 address, as
    /// in Go. No other names: this layer does not look up DNS. Throws a message that says what
    /// was wrong.
    public init(_ text: String) throws(SockaddrError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw SockaddrError(text, "missing port (write HOST:PORT, such as 127.0.0.1:8080)")
        }
        var host = Substring(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), portText.count <= 5,
            let port = UInt16(portText)
        else {
            throw SockaddrError(text, "port \"\(portText)\" is not a number from 0 to 65535")
        }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]") else { throw SockaddrError(text, "missing ] after an IPv6 address") }
            guard host.count > 2 else { throw SockaddrError(text, "no IPv6 address between the brackets") }
            host = host.dropFirst().dropLast()
            var scope: UInt32 = 0
            if let percent = host.firstIndex(of: "%") {
                let zone = host[host.index(after: percent)...]
                guard let number = UInt32(zone) else {
                    throw SockaddrError(text, "IPv6 zone \"\(zone)\" is not an interface number")
                }
                scope = number
                host = host[..<percent]
            }
            guard let bytes = Sockaddr.parseIP(String(host), family: AF_INET6) else {
                throw SockaddrError(text, "\"\(host)\" is not an IPv6 address")
            }
            self.init(ip: bytes, port: port, scopeID: scope)!
            return
        }
        if host.contains(":") {
            throw SockaddrError(text, "an IPv6 address needs brackets, as in [::1]:8080")
        }
        if host.isEmpty {
            self.init(ipv4: 0, 0, 0, 0, port: port)
        } else if host == "localhost" {
            self.init(ipv4: 127, 0, 0, 1, port: port)
        } else if let bytes = Sockaddr.parseIP(String(host), family: AF_INET) {
            self.init(ip: bytes, port: port)!
        } else {
            throw SockaddrError(text, "\"\(host)\" is not an IPv4 address (this layer does not look up names)")
        }
    }

    /// Whether this is an IPv6 address.
    public var isIPv6: Bool { ip.count == 16 }

    /// The address family to pass to `socket`: `.inet` or `.inet6`.
    public var domain: Domain { isIPv6 ? .inet6 : .inet }

    /// `127.0.0.1:8080`, or `[::1]:8080` for IPv6 (`[fe80::1%2]:80` with a scope), as Go's
    /// `net.JoinHostPort` writes it.
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = isIPv6 ? AF_INET6 : AF_INET
        let ok = ip.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count)) != nil }
        let host = ok ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        guard isIPv6 else { return "\(host):\(port)" }
        return scopeID == 0 ? "[\(host)]:\(port)" : "[\(host)%\(scopeID)]:\(port)"
    }

    /// inet_pton: the bytes of a numeric IP, or nil.
    static func parseIP(_ text: String, family: Int32) -> [UInt8]? {
        guard !text.contains("\0") else { return nil }
        var bytes = [UInt8](repeating: 0, count: family == AF_INET6 ? 16 : 4)
        let ok = bytes.withUnsafeMutableBytes { raw in inet_pton(family, text, raw.baseAddress) == 1 }
        return ok ? bytes : nil
    }
}

/// Text that is not a socket address, and why: `bad address "1.2.3:80": "1.2.3" is not an
/// IPv4 address`.
public struct SockaddrError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that was parsed.
    public let text: String
    /// What was wrong with it.
    public let reason: String

    init(_ text: String, _ reason: String) {
        self.text = text
        self.reason = reason
    }

    /// The message, with control characters escaped (it quotes what a user typed).
    public var description: String { Sockaddr.escaped("bad address \"\(text)\": \(reason)") }
}

extension Sockaddr {
    /// `text` with control characters escaped (`\x0a`), for messages that quote what a user typed.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20, 0x7f..<0xa0: out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
