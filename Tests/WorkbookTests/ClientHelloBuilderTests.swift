@testable import CheckLanguage
@testable import CheckRuntime
import NetCore
import NetTLS
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// The hellos `send … hello` builds are real ClientHellos: OpenSSL's own parser reads them and
/// finds the name that was put in, whatever the seed; and no two runs send the same bytes.
@Suite("ClientHello builder")
struct ClientHelloBuilderTests {
    static let seeds: [UInt64] = (0..<300).map { ($0 &+ 1) &* 0xD1B5_4A32_D192_ED03 }

    /// A hello with a fresh random name, and that name.
    func hello(seed: UInt64, recordVersion: UInt16 = 0x0301, recordSize: Int = 16_384) -> (bytes: [UInt8], name: String) {
        var rng = SplitMix64Generator(seed: seed)
        let name = ClientHelloBuilder.randomHostName(using: &rng)
        let contents = ClientHelloBuilder.Contents(hostName: Array(name.utf8), recordVersion: recordVersion, recordSize: recordSize)
        return (ClientHelloBuilder.records(contents, using: &rng), name)
    }

    @Test("OpenSSL reads the server name put in, across many seeds")
    func openSSLReadsTheName() throws {
        var orders: Set<[UInt16]> = []
        var serverNameFirst = 0
        for seed in Self.seeds {
            let (bytes, name) = hello(seed: seed)
            let info = try ClientHelloInfo.inspect(bytes)
            #expect(info.serverName == name, "seed \(seed)")
            #expect(info.legacyVersion == 0x0303)
            #expect(info.supportedVersions.contains(0x0304) && info.supportedVersions.contains(0x0303))
            #expect(info.supportedVersions.contains { ClientHelloBuilder.greaseCodes.contains($0) }, "a GREASE version")
            #expect(ClientHelloBuilder.greaseCodes.contains(info.cipherSuites[0]), "a GREASE cipher suite first")
            #expect([0x1301, 0x1302, 0x1303].allSatisfy(info.cipherSuites.contains), "the TLS 1.3 suites")
            #expect(info.cipherSuites.count >= 5, "and TLS 1.2 ones")
            // OpenSSL lists only the extensions it knows; the order sent is read here.
            #expect(info.extensionTypes.filter { $0 == 0 }.count == 1)
            let types = try extensions(bytes).map(\.type)
            #expect(types.filter { ClientHelloBuilder.greaseCodes.contains($0) }.count == 2, "two GREASE extensions")
            orders.insert(types)
            if types.first == 0 { serverNameFirst += 1 }
            #expect(bytes.count < 4096)
        }
        // Shuffled: many orders, server_name sometimes first and usually not.
        #expect(orders.count > Self.seeds.count * 9 / 10)
        #expect(serverNameFirst > 0 && serverNameFirst < Self.seeds.count / 3)
    }

    @Test("names are DNS names, different every time")
    func names() {
        var rng = SplitMix64Generator(seed: 1)
        var seen: Set<String> = []
        for _ in 0..<2000 {
            let name = ClientHelloBuilder.randomHostName(using: &rng)
            seen.insert(name)
            let labels = name.split(separator: ".", omittingEmptySubsequences: false)
            #expect(labels.count >= 2 && labels.count <= 4, "\(name)")
            for label in labels {
                #expect(!label.isEmpty && label.count <= 16 && label.first != "-" && label.last != "-", "\(name)")
                #expect(label.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }, "\(name)")
            }
            #expect(labels.last!.allSatisfy { ("a"..."z").contains($0) }, "a top-level label of letters: \(name)")
        }
        #expect(seen.count > 1990)
    }

    @Test("the same seed makes the same hello; other seeds, other hellos")
    func seeds() {
        #expect(hello(seed: 42).bytes == hello(seed: 42).bytes)
        let all = Set(Self.seeds.map { hello(seed: $0).bytes })
        #expect(all.count == Self.seeds.count)
        let names = Set(Self.seeds.map { hello(seed: $0).name })
        #expect(names.count > Self.seeds.count - 3)
    }

    @Test("the checker's payload differs between runs and binds its name")
    func freshEachRun() throws {
        let script = try parseOK(
            """
            start --listen {listen}
            check "x"
              connect a
              send a hello sni random as h
            """)
        let payload = try #require(script.checks[0].steps[1].send?.payload)
        guard case .hello(let spec) = payload else { Issue.record("not a hello: \(payload)"); return }
        let runner = CheckRunner(script: script, lessonDirectory: testLessonDirectory, program: ProgramLaunch(executable: "/bin/true"))
        var bytes: Set<[UInt8]> = []
        var names: Set<String> = []
        for _ in 0..<20 {
            let execution = CheckExecution(
                check: script.checks[0], runner: runner, transcript: Transcript(origin: .now), upstreams: [:],
                process: nil, serverAddress: nil, notReady: "", tmp: testLessonDirectory)
            let (sent, description) = execution.helloBytes(spec)
            let name = try #require(execution.serverNames.withLock { $0["h"] })
            #expect(try ClientHelloInfo.inspect(sent).serverName == name)
            #expect(description.contains(name))
            bytes.insert(sent)
            names.insert(name)
        }
        #expect(bytes.count == 20 && names.count == 20)
    }

    @Test("OpenSSL reassembles it from small records, whatever the record version")
    func recordsAndVersions() throws {
        for (i, seed) in Self.seeds.prefix(40).enumerated() {
            let size = [1, 2, 3, 100, 16_384][i % 5]
            let version: UInt16 = [0x0300, 0x0301, 0x0303, 0x0304][i % 4]
            let (bytes, name) = hello(seed: seed, recordVersion: version, recordSize: size)
            #expect(try ClientHelloInfo.inspect(bytes).serverName == name, "records of \(size), version \(version)")
            // Every record has the version asked for and a fragment of at most `size` bytes.
            var rest = ByteString(bytes)
            while !rest.isEmpty {
                let type = rest.readUInt8()
                #expect(type == 22)
                let recordVersion = rest.readUInt16()
                #expect(recordVersion == version)
                let fragment = try need(rest.readUInt16LengthPrefixed())
                #expect(fragment.count >= 1 && fragment.count <= size)
            }
        }
    }

    /// The extensions of a hello in records, as (type, data), in order.
    func extensions(_ records: [UInt8]) throws -> [(type: UInt16, data: ByteString)] {
        var rest = ByteString(records)
        var message: [UInt8] = []
        while !rest.isEmpty {
            _ = rest.skip(3)
            message += try need(rest.readUInt16LengthPrefixed()).bytes
        }
        var m = ByteString(message)
        let type = m.readUInt8()
        #expect(type == 1)
        var hello = try need(m.readUInt24LengthPrefixed())
        #expect(m.isEmpty)
        let skipped = hello.skip(34)
        #expect(skipped)
        _ = try need(hello.readUInt8LengthPrefixed())
        _ = try need(hello.readUInt16LengthPrefixed())
        _ = try need(hello.readUInt8LengthPrefixed())
        var block = try need(hello.readUInt16LengthPrefixed())
        #expect(hello.isEmpty)
        var found: [(type: UInt16, data: ByteString)] = []
        while !block.isEmpty {
            found.append((try need(block.readUInt16()), try need(block.readUInt16LengthPrefixed())))
        }
        return found
    }

    /// A server_name list's entries as (type, name).
    func entries(_ data: ByteString) throws -> [(UInt8, [UInt8])] {
        var data = data
        var list = try need(data.readUInt16LengthPrefixed())
        #expect(data.isEmpty)
        var entries: [(UInt8, [UInt8])] = []
        while !list.isEmpty {
            let nameType = try need(list.readUInt8())
            entries.append((nameType, try need(list.readUInt16LengthPrefixed()).bytes))
        }
        return entries
    }

    /// The server_name extensions of a hello, each as its list of (type, name).
    func serverNameExtensions(_ records: [UInt8]) throws -> [[(UInt8, [UInt8])]] {
        try extensions(records).filter { $0.type == 0 }.map { try entries($0.data) }
    }

    @Test("a second server_name extension or host_name entry comes after the first; OpenSSL refuses the duplicate extension")
    func duplicates() throws {
        for seed in Self.seeds.prefix(30) {
            var rng = SplitMix64Generator(seed: seed)
            let first = Array("first.test".utf8), second = Array("second.test".utf8)
            let twoExtensions = ClientHelloBuilder.records(.init(hostName: first, secondExtensionName: second), using: &rng)
            let extensions = try serverNameExtensions(twoExtensions)
            #expect(extensions.count == 2)
            #expect(extensions.first?.map(\.1) == [first] && extensions.last?.map(\.1) == [second])
            // RFC 8446 §4.2: OpenSSL refuses a hello with two extensions of one type.
            #expect(throws: TLSError.self) { try ClientHelloInfo.inspect(twoExtensions) }

            let twoEntries = ClientHelloBuilder.records(.init(hostName: first, secondEntryName: second), using: &rng)
            let entries = try serverNameExtensions(twoEntries)
            #expect(entries.count == 1)
            #expect(entries.first?.map(\.0) == [0, 0] && entries.first?.map(\.1) == [first, second])
        }
    }

    @Test("a name with a NUL or a trailing dot is sent as given, every length right")
    func oddNames() throws {
        var rng = SplitMix64Generator(seed: 9)
        let withNUL = Array("a1.test".utf8) + [0] + Array("evil.example".utf8)
        let bytes = ClientHelloBuilder.records(.init(hostName: withNUL), using: &rng)
        #expect(try serverNameExtensions(bytes).first?.first?.1 == withNUL)
        let dotted = Array("a1.test.".utf8)
        let dottedBytes = ClientHelloBuilder.records(.init(hostName: dotted), using: &rng)
        #expect(try ClientHelloInfo.inspect(dottedBytes).serverName == "a1.test.")
    }

    @Test("one GREASE extension holds a decoy name list; the other is empty")
    func decoy() throws {
        for seed in Self.seeds.prefix(50) {
            let (bytes, name) = hello(seed: seed)
            let grease = try extensions(bytes).filter { ClientHelloBuilder.greaseCodes.contains($0.type) }
            #expect(grease.count == 2)
            #expect(grease[0].type != grease[1].type)
            let decoys = grease.filter { !$0.data.isEmpty }
            #expect(decoys.count == 1)
            let decoy = try #require(try decoys.first.map { try entries($0.data) }?.first)
            #expect(decoy.0 == 0 && !decoy.1.isEmpty && decoy.1 != Array(name.utf8))
        }
    }
}

/// `value`, or a thrown test failure saying what was missing.
func need<T>(_ value: T?, _ what: String = "a field", sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> T {
    guard let value else {
        Issue.record("missing \(what)", sourceLocation: sourceLocation)
        throw CheckError(message: "missing \(what)")
    }
    return value
}
