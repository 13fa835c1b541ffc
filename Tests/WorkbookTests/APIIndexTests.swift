@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

@Suite("netlab api: the API from the sources' doc comments")
struct APIIndexTests {
    @Test func readsDeclarationsAsThisPackageWritesThem() {
        let source = #"""
            import Foundation

            /// A thing.
            ///
            /// More about it.
            public struct Thing: Sendable {
                /// The name. Never empty.
                public var name: String
                var hidden: Int
                private(set) public var count = 0 // a comment { with a brace
                /// Reads `count` bytes, e.g. a header.
                @discardableResult
                public func read(
                    _ count: Int,
                    into buffer: inout [UInt8]
                ) async throws -> Int {
                    let s = "a } brace in a string \(count) {"
                    if count > 0 { return 1 }
                    /// not a doc of anything public
                    public func notAMember() {}
                    return 0
                }
                public init(name: String) { self.name = name; hidden = 0 }
                public static func == (a: Thing, b: Thing) -> Bool { true }

                /// Kinds.
                public enum Kind: Sendable {
                    /// First.
                    case first
                    case second(Int), third
                    func internalHelper() {}
                }
            }

            struct Internal {
                public func invisible() {}
            }

            extension Thing {
                /// Added later.
                public var isEmpty: Bool { name.isEmpty }
                func notPublic() {}
            }

            public extension Thing {
                /// Public by the extension.
                func shout() -> String { name.uppercased() }
            }

            /// A protocol.
            public protocol Reader {
                /// Reads.
                func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int
            }

            /// Copies.
            public func copy(from source: some Reader, to destination: some Reader) async throws -> Int64 { 0 }
            """#
        let symbols = APIIndex.symbols(in: source, module: "M", file: "Sources/M/Thing.swift")
        #expect(
            symbols.map(\.displayName) == [
                "Thing", "Thing.name", "Thing.count", "Thing.read(_:into:)", "Thing.init(name:)", "Thing.==(a:b:)",
                "Thing.Kind", "Thing.Kind.first", "Thing.Kind.second", "Thing.Kind.third",
                "Thing.isEmpty", "Thing.shout()", "Reader", "Reader.read(into:)", "copy(from:to:)",
            ])
        let read = symbols.first { $0.name == "Thing.read" }
        #expect(
            read?.declaration == "@discardableResult\npublic func read(\n    _ count: Int,\n    into buffer: inout [UInt8]\n) async throws -> Int"
                || read?.declaration == "public func read(\n    _ count: Int,\n    into buffer: inout [UInt8]\n) async throws -> Int")
        #expect(read?.summary == "Reads `count` bytes, e.g. a header.")
        #expect(read?.line == 13)
        #expect(symbols.first?.doc == "A thing.\n\nMore about it.")
        #expect(symbols.first { $0.name == "Thing.count" }?.declaration == "private(set) public var count = 0")
        #expect(symbols.first { $0.name == "Thing.name" }?.summary == "The name.")
        #expect(symbols.first { $0.name == "Thing.Kind.first" }?.kind == .enumCase)
        #expect(symbols.first { $0.name == "Thing.isEmpty" }?.declaration == "public var isEmpty: Bool")
    }

    @Test func firstSentence() {
        #expect(APIIndex.firstSentence("Like Go's `SetReadDeadline`: an absolute time. More.") == "Like Go's `SetReadDeadline`: an absolute time.")
        #expect(APIIndex.firstSentence("Uses `a.b. c` here. Then") == "Uses `a.b. c` here.")
        #expect(APIIndex.firstSentence("No full stop") == "No full stop")
        #expect(APIIndex.firstSentence("- Parameters:\n  - host: where.\n  - port: which.") == "Parameters: host, port.")
    }

    /// The package's own sources: what a learner sees.
    @Test func theRealAPI() {
        let symbols = APIIndex.load(root: packageRoot)
        let names = Set(symbols.map(\.name))
        for name in [
            "TCPConn.setReadDeadline", "ByteString", "ByteString.readUInt16LengthPrefixed", "copy", "serve",
            "TLSConn.negotiatedVersion", "TLSConn.serverName", "TLSConn.closeGracefully", "TLSServerConfig",
            "Log.reason", "Log.sni", "LessonProgram.run", "PrefixConn", "NetError.isTemporary",
        ] {
            #expect(names.contains(name), "netlab api does not know \(name)")
        }
        #expect(Set(symbols.map(\.module)) == ["NetCore", "NetTLS", "LessonKit", "Syscall"])
        // Internal declarations stay out.
        #expect(!names.contains { $0.hasPrefix("Poller") || $0.hasPrefix("TimerHeap") })
        // Protocol members' docs stand for their implementations.
        #expect(symbols.first { $0.name == "TCPConn.setReadDeadline" }?.doc.contains("SetReadDeadline") == true)
        // Every type a lesson uses has a summary.
        for name in ["TCPConn", "TCPListener", "ByteString", "TLSConn", "Log", "PrefixConn", "Deadline"] {
            #expect(symbols.first { $0.name == name }?.summary.isEmpty == false, "\(name) has no doc comment")
        }
    }

    @Test func theCommand() async throws {
        let all = await runCLI(["api"], in: packageRoot)
        #expect(all.status == 0)
        #expect(all.out.contains("NetCore  ("))
        #expect(all.out.contains("NetTLS  ("))
        #expect(all.out.contains("LessonKit  ("))
        #expect(all.out.contains("  Log.reason(_:)"))
        let one = await runCLI(["api", "tcpconn.setreaddeadline"], in: packageRoot)
        #expect(one.status == 0)
        #expect(one.out.hasPrefix("TCPConn.setReadDeadline(_:)  NetCore · Sources/NetCore/TCPConn.swift:"), "\(one.out)")
        #expect(one.out.contains("    public func setReadDeadline(_ deadline: Deadline?) throws\n"))
        let type = await runCLI(["api", "ByteString"], in: packageRoot)
        #expect(type.out.contains("Members:") && type.out.contains("ByteString.readUInt8()"))
        let many = await runCLI(["api", "setReadDeadline"], in: packageRoot)
        #expect(many.out.contains("TLSConn.setReadDeadline(_:)") && many.out.contains("PrefixConn.setReadDeadline(_:)"))
        let module = await runCLI(["api", "nettls"], in: packageRoot)
        #expect(module.out.contains("TLSConn.closeGracefully") && !module.out.contains("ByteString"))
        let missing = await runCLI(["api", "ByteStrin"], in: packageRoot)
        #expect(missing.status == 1)
        #expect(missing.err.contains("no public API named `ByteStrin`") && missing.err.contains("Did you mean `ByteString`?"), "\(missing.err)")
        let two = await runCLI(["api", "a", "b"], in: packageRoot)
        #expect(two.status == 2)
        // A doc comment's code block stays a block: its fences are not read as ``links``.
        let kv = await runCLI(["api", "KeyValueMessage"], in: packageRoot)
        #expect(kv.out.contains("\n    let request = try KeyValueMessage(decoding: body)\n"), "\(kv.out)")
    }

    @Test func docLinksBecomeCodeSpansButFencesStay() {
        let doc = "Like ``TCPConn``.\n\n```swift\nlet a = ``b``\n```\nThen ``Deadline``."
        #expect(NetlabCLI.plainDocLinks(doc) == "Like `TCPConn`.\n\n```swift\nlet a = ``b``\n```\nThen `Deadline`.")
    }
}
