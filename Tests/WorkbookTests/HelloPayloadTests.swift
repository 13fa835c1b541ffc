@testable import CheckLanguage
@testable import CheckRuntime
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// `send NAME hello …` and `{NAME.name}`: parsing, errors, and a run against a real program.
@Suite("Hello payloads")
struct HelloPayloadTests {
    func payload(_ line: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> HelloPayload? {
        let script = try parseOK("start --listen {listen}\ncheck \"x\"\n  connect a\n  \(line)\n", sourceLocation: sourceLocation)
        guard case .hello(let hello) = script.checks[0].steps[1].send?.payload else { return nil }
        return hello
    }

    @Test("every option, in any order, with the options of any send")
    func options() throws {
        #expect(try payload("send a hello") == HelloPayload())
        #expect(try payload("send a hello sni example.test")?.serverName == .literal("example.test"))
        #expect(try payload("send a hello sni \"a.test\"")?.serverName == .literal("a.test"))
        let all = try #require(
            try payload(
                "send a hello in chunks of 1 every 1ms records of 3 sni random as h second-sni random as h2 "
                    + "second-host-name b.test nul-in-name trailing-dot record-version \"03 04\" within 5s until closed"))
        #expect(all.serverName == .random(binding: "h"))
        #expect(all.secondExtension == .random(binding: "h2"))
        #expect(all.secondEntry == .literal("b.test"))
        #expect(all.nulInName && all.trailingDot)
        #expect(all.recordVersion == 0x0304 && all.recordSize == 3)
        #expect(all.bindings == ["h", "h2"])
    }

    @Test("{NAME.name} names a server name bound earlier in the check")
    func references() throws {
        let script = try parseOK(
            """
            start --listen {listen}
            check "x"
              connect a
              repeat 2
                send a hello sni random as host
                expect server log /^sni {host.name}$/ within 1s
              end
              expect server no log /^sni {host.name}\\.$|{a.addr}/
            """)
        guard case .repeat(let loop) = script.checks[0].steps[1],
            case .expectServer(let e) = loop.body[1], case .log(let pattern, _) = e.condition
        else {
            Issue.record("unexpected steps"); return
        }
        #expect(pattern.references == [Pattern.Reference(name: "host", owner: .serverName, field: "name")])
        #expect(pattern.rendered { _ in "x1.test" } == "^sni x1\\.test$")
    }

    @Test("errors name the line, the column and what would fit")
    func errors() {
        let head = "start --listen {listen}\ncheck \"x\"\n  connect a\n"
        func error(_ lines: String) -> String? { firstError(head + lines) }
        #expect(
            error("  expect server log /{h.name}/\n")?.contains("checks.netlab:4:21: error: `{h.name}` in a pattern names no server name") == true)
        #expect(
            error("  send a hello sni random as h\n  expect server log /{h.host}/\n")?.contains("`{h.host}` in a pattern; expected `{h.name}`")
                == true)
        #expect(error("  expect server log /{x.host}/\n")?.contains("expected `{x.addr}`, `{x.port}` or `{x.name}`") == true)
        #expect(
            error("  send a hello trailing-dot\n")?.contains(
                "checks.netlab:4:3: error: `trailing-dot` changes the server name, and this hello has none") == true)
        #expect(error("  send a hello second-sni x.test\n")?.contains("`second-sni` changes the server name") == true)
        #expect(error("  send a hello records of 0\n")?.contains("4:27: error: size `0` is zero") == true)
        #expect(error("  send a hello records of 16385\n")?.contains("a record holds at most 16384 bytes") == true)
        #expect(error("  send a hello record-version \"03\"\n")?.contains("`record-version` takes two bytes; found 1") == true)
        #expect(error("  send a hello sni random h\n")?.contains("4:27: error: unexpected `h`; expected `as`") == true)
        #expect(error("  send a hello sni random as h second-sni random as h\n")?.contains("`h` already names a server name of this hello") == true)
        #expect(error("  send a hello sni \"a b\"\n")?.contains("is not a server name") == true)
        #expect(error("  send a hello sni a.test sni b.test\n")?.contains("`sni` given twice") == true)
        #expect(error("  send a hello seed 3\n")?.contains("unexpected `seed`") == true)
        #expect(error("  parallel 2\n    send a hello sni random as h\n  end\n")?.contains("inside the `parallel` at line 4") == true)
    }

    @Test("a run sends a fresh hello and fills {NAME.name} in with its name")
    func run() async throws {
        let result = try await runOne(
            """
            start --listen {listen}
            check "echoes the hello"
              connect a
              send a hello sni random as h
              expect a /{h.name}/ within 2s
              send a hello sni random as cut records of 50
              expect server log /^sni {h.name}$/ within 200ms
            """)
        // The echo server sends the hello back, name and all; it logs no `sni` line.
        #expect(result.status == .fail)
        // (In one record: records of 50 bytes could put a record header inside the echoed name.)
        let sends = result.transcript.split(separator: "\n").filter { $0.contains("[client a] sent") }
        #expect(sends.count == 2)
        let sent = try #require(sends.first)
        #expect(sent.hasSuffix(" (`h`)"), "\(sent)")
        #expect(sends.last?.contains(" (`cut`), in ") == true && sends.last?.hasSuffix(" records of at most 50 bytes") == true, "\(sends)")
        let after = try #require(sent.range(of: "a fresh hello, sni "))
        let name = try #require(sent[after.upperBound...].split(separator: " ").first)
        #expect(result.transcript.contains("[client a] received \"\(name)\" matching /{h.name}/ ({h.name} = \(name))"), "\(result.transcript)")
        #expect(result.message?.contains("/^sni {h.name}$/ ({h.name} = \(name)) within 200ms") == true, "\(result.message ?? "")")
    }
}
