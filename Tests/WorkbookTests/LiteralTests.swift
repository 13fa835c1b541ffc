@testable import CheckLanguage
@testable import CheckRuntime
@testable import NetlabCommandLine
import Testing

@Suite("Literals")
struct LiteralTests {
    func duration(_ text: String) throws -> Duration {
        let step = try #require(try steps("sleep \(text)").first)
        guard case .sleep(let s) = step else { Issue.record("not a sleep"); return .zero }
        return s.duration
    }

    @Test(
        "durations take us, ms, s and m, whole or decimal",
        arguments: [
            ("100us", Duration.microseconds(100)),
            ("300ms", .milliseconds(300)),
            ("2s", .seconds(2)),
            ("1.5s", .milliseconds(1500)),
            ("0.25ms", .microseconds(250)),
            ("1m", .seconds(60)),
            ("1.5m", .seconds(90)),
        ])
    func durations(text: String, value: Duration) throws {
        #expect(try duration(text) == value)
    }

    @Test(
        "sizes are bytes, optionally in B, KiB, MiB or GiB",
        arguments: [
            ("512", 512), ("512B", 512), ("64KiB", 65_536), ("1MiB", 1_048_576), ("64MiB", 67_108_864),
            ("1.5MiB", 1_572_864), ("0.25GiB", 268_435_456),
        ])
    func sizes(text: String, value: Int) throws {
        let s = try #require(try steps("connect a\nsend a random \(text)")[1].send)
        #expect(s.payload == .random(RandomData(size: value)))
    }

    @Test("strings decode \\n \\r \\t \\\\ \\\" \\0 \\xHH and keep other characters as UTF-8")
    func strings() throws {
        let s = try #require(try steps(#"connect a\#nsend a "a\n\r\t\\\"\0\x1b\xFFé# not a comment""#)[1].send)
        #expect(
            s.payload
                == .text(
                    [0x61, 0x0A, 0x0D, 0x09, 0x5C, 0x22, 0x00, 0x1B, 0xFF, 0xC3, 0xA9]
                        + Array("# not a comment".utf8)))
    }

    @Test("hex strings take pairs with optional blanks, in either case")
    func hex() throws {
        let s = try #require(try steps(#"connect a\#nsend a hex "16 03 01 00a5 FF\#tee""#)[1].send)
        #expect(s.payload == .hex([0x16, 0x03, 0x01, 0x00, 0xA5, 0xFF, 0xEE]))
    }

    @Test("comments, blank lines, tabs, CRLF and a byte-order mark are ignored")
    func layout() throws {
        let source =
            "\u{FEFF}# a comment\r\nstart --listen {listen} # the flags\r\n\r\ncheck \"c\" # trailing\r\n\tconnect a\r\n\t\t# indented comment\r\n\tclose a\r\n"
        let script = try parseOK(source)
        #expect(script.checks.count == 1)
        #expect(script.checks[0].steps.count == 2)
        #expect(script.checks[0].steps[1].location == loc(7, 2))
        #expect(script.defaultStart?.arguments.count == 2)
    }

    @Test("an empty file is an empty script")
    func empty() throws {
        let script = try parseOK("")
        #expect(script.checks.isEmpty)
        #expect(try parseOK("\n# nothing\n\n").checks.isEmpty)
    }
}
