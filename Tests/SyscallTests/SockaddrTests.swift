import Syscall
import Testing

@Suite("Sockaddr: addresses as text")
struct SockaddrTests {
    @Test(
        "parses and prints, as Go's JoinHostPort writes them",
        arguments: [
            ("127.0.0.1:8080", "127.0.0.1:8080"), ("0.0.0.0:0", "0.0.0.0:0"), ("255.255.255.255:65535", "255.255.255.255:65535"),
            ("[::1]:80", "[::1]:80"), ("[::]:0", "[::]:0"), ("[2001:DB8::1]:443", "[2001:db8::1]:443"),
            ("[fe80::1%2]:80", "[fe80::1%2]:80"), ("localhost:9", "127.0.0.1:9"), (":8080", "0.0.0.0:8080"),
            ("[::ffff:1.2.3.4]:5", "[::ffff:1.2.3.4]:5"),
        ])
    func roundTrip(text: String, printed: String) throws {
        let address = try Sockaddr(text)
        #expect(address.description == printed)
        #expect(try Sockaddr(printed) == address)
    }

    @Test("the fields: IP bytes, port, family")
    func fields() throws {
        let v4 = try Sockaddr("10.1.2.3:258")
        #expect(v4.ip == [10, 1, 2, 3])
        #expect(v4.port == 258)
        #expect(!v4.isIPv6)
        #expect(v4.domain == .inet)
        #expect(v4 == Sockaddr(ipv4: 10, 1, 2, 3, port: 258))
        let v6 = try Sockaddr("[::1]:7")
        #expect(v6.ip == [UInt8](repeating: 0, count: 15) + [1])
        #expect(v6.isIPv6)
        #expect(v6.domain == .inet6)
        #expect(Sockaddr(ip: [1, 2, 3], port: 1) == nil)
    }

    @Test(
        "bad text: an error that says what was wrong",
        arguments: [
            ("127.0.0.1", "missing port"), ("127.0.0.1:", "is not a number from 0 to 65535"),
            ("127.0.0.1:65536", "\"65536\" is not a number"), ("127.0.0.1:-1", "\"-1\" is not a number"),
            ("127.0.0.1:8O", "\"8O\" is not a number"), ("1.2.3:80", "\"1.2.3\" is not an IPv4 address"),
            ("example.com:80", "does not look up names"), ("::1:80", "needs brackets"), ("[::1:80", "missing ]"),
            ("[]:80", "no IPv6 address between"), ("[::g]:80", "\"::g\" is not an IPv6 address"), ("[fe80::1%eth0]:80", "not an interface number"),
            ("1.2.3.4:0000080", "is not a number"), ("127.0.0.1:٣", "is not a number"),
        ])
    func bad(text: String, reason: String) {
        #expect {
            _ = try Sockaddr(text)
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("bad address \"") && message.contains(reason)
        }
    }

    @Test("control characters in bad text are escaped in the message")
    func escaped() {
        #expect {
            _ = try Sockaddr("1.2.3.4\n\u{1b}[31m:80")
        } throws: { error in
            let message = "\(error)"
            return !message.contains("\n") && !message.contains("\u{1b}") && message.contains("\\x0a\\x1b[31m")
        }
    }
}
