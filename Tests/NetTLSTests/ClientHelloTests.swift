import NetCore
import NetTLS
import Testing

/// core-semantics test 23, the OpenSSL side: OpenSSL's reading of hellos OpenSSL made.
@Suite("ClientHello inspection", .timeLimit(.minutes(1)))
struct ClientHelloTests {
    @Test func capturedHelloGivesLocalhost() throws {
        let hello = try ClientHelloInfo.capture(serverName: "localhost", alpn: ["h2", "http/1.1"])
        #expect(hello[0] == 22 && hello[1] == 3 && hello[5] == 1)  // handshake record, ClientHello
        #expect(Int(hello[3]) << 8 | Int(hello[4]) == hello.count - 5)  // one record, complete
        let info = try ClientHelloInfo.inspect(hello)
        #expect(info.serverName == "localhost")
        #expect(info.alpnProtocols == ["h2", "http/1.1"])
        #expect(info.supportedVersions.contains(0x0304))
        #expect(info.supportedVersions.contains(0x0303))
        #expect(info.supportedVersionNames.first == "TLS 1.3")
        #expect(info.legacyVersion == 0x0303)
        #expect(info.extensionTypes.contains(0) && info.extensionTypes.contains(16) && info.extensionTypes.contains(43))
        #expect(info.cipherSuites.contains(0x1301))  // TLS_AES_128_GCM_SHA256
    }

    @Test func noServerName() throws {
        let info = try ClientHelloInfo.inspect(ClientHelloInfo.capture(serverName: nil))
        #expect(info.serverName == nil)
        #expect(info.alpnProtocols.isEmpty)
        #expect(!info.extensionTypes.contains(0))
    }

    @Test func ipAddressSendsNoServerName() throws {
        #expect(try ClientHelloInfo.inspect(ClientHelloInfo.capture(serverName: "127.0.0.1")).serverName == nil)
        #expect(try ClientHelloInfo.inspect(ClientHelloInfo.capture(serverName: "::1")).serverName == nil)
    }

    @Test func versionLimitsShowInTheHello() throws {
        let tls12 = try ClientHelloInfo.inspect(ClientHelloInfo.capture(serverName: "a.test", maxVersion: .tls12))
        #expect(tls12.supportedVersions == [0x0303])
        #expect(tls12.serverName == "a.test")
        let tls13 = try ClientHelloInfo.inspect(ClientHelloInfo.capture(serverName: "b.test", minVersion: .tls13))
        #expect(tls13.supportedVersions == [0x0304])
    }

    @Test func everyTruncationIsRejected() throws {
        let hello = try ClientHelloInfo.capture(serverName: "localhost")
        for length in 0..<hello.count {
            let error = #expect(throws: TLSError.self) { try ClientHelloInfo.inspect(Array(hello.prefix(length))) }
            #expect(error?.kind == .notClientHello, "prefix of \(length) bytes")
        }
    }

    @Test func wrongContentTypeIsRejected() throws {
        var hello = try ClientHelloInfo.capture(serverName: "localhost")
        hello[0] = 23  // application data
        let error = #expect(throws: TLSError.self) { try ClientHelloInfo.inspect(hello) }
        #expect(error?.kind == .notClientHello)
        #expect(error?.message.contains("content type 23") == true)
    }

    @Test func wrongHandshakeTypeIsRejected() throws {
        var hello = try ClientHelloInfo.capture(serverName: "localhost")
        hello[5] = 2  // ServerHello
        let error = #expect(throws: TLSError.self) { try ClientHelloInfo.inspect(hello) }
        #expect(error?.kind == .notClientHello)
        #expect(error?.message.contains("type 2") == true)
    }

    @Test func garbageIsRejected() throws {
        #expect(throws: TLSError.self) { try ClientHelloInfo.inspect(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }
        #expect(throws: TLSError.self) { try ClientHelloInfo.inspect([22, 3, 1, 0, 4, 1, 0, 0, 0]) }
        #expect(throws: TLSError.self) { try ClientHelloInfo.inspect(seededBytes(300, seed: 7)) }
    }

    @Test func helloSplitAcrossTwoRecordsIsStillRead() throws {
        // OpenSSL reassembles handshake messages across records; the checker can rely on it.
        let hello = try ClientHelloInfo.capture(serverName: "split.test")
        let body = Array(hello[5...])
        let first = Array(body[..<40]), second = Array(body[40...])
        func record(_ b: [UInt8]) -> [UInt8] { [22, 3, 1, UInt8(b.count >> 8), UInt8(b.count & 0xff)] + b }
        #expect(try ClientHelloInfo.inspect(record(first) + record(second)).serverName == "split.test")
    }
}
