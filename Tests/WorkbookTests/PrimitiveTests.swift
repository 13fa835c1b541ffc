@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
@testable import NetlabCommandLine
import Testing
@testable import Workbook

@Suite("File header and checks")
struct HeaderTests {
    @Test("lesson, start, timeout and upstreams at the top of the file")
    func header() throws {
        let script = try parseOK(
            """
            lesson "Proxies"
            timeout 3s
            upstream echo as up
            upstream sink as logs
            upstream silent as slow
            upstream close as slam
            upstream refuse as down
            upstream blackhole as void
            upstream tls-echo as secure cert {cert} key "{tmp}/key.pem" alpn "h2,http/1.1"
            start --listen {listen} --upstream {up.addr} "--name=two words" --port={up.port} --literal={{x}} --host {logs.host}
            """)
        #expect(script.defaultTimeout == .seconds(3))
        #expect(script.stepTimeout == .seconds(3))
        #expect(script.upstreams.map(\.name) == ["up", "logs", "slow", "slam", "down", "void", "secure"])
        #expect(script.upstreams.map(\.kind.keyword) == ["echo", "sink", "silent", "close", "refuse", "blackhole", "tls-echo"])
        #expect(script.upstreams[0].location == loc(3, 1))
        guard case .tlsEcho(let tls) = script.upstreams[6].kind else { Issue.record("not tls-echo"); return }
        #expect(tls.certificate?.parts == [.placeholder(.cert)])
        #expect(tls.key?.parts == [.placeholder(.tmp), .literal("/key.pem")])
        #expect(tls.alpn == ["h2", "http/1.1"])
        let start = try #require(script.defaultStart)
        #expect(
            start.arguments.map(\.description) == [
                "--listen", "{listen}", "--upstream", "{up.addr}", "--name=two words", "--port={up.port}",
                "--literal={{x}}", "--host", "{logs.host}",
            ])
        #expect(start.arguments[3].parts == [.placeholder(.upstreamAddress(name: "up", field: .addr))])
        #expect(start.arguments[6].literalValue == "--literal={x}")
        let rendered = start.arguments[5].render { p in p == .upstreamAddress(name: "up", field: .port) ? "4000" : "?" }
        #expect(rendered == "--port=4000")
    }

    @Test("a pattern's {NAME.addr} is filled in, escaped; a quantifier's braces and an escaped brace stay as written")
    func patternReferencesRender() {
        let pattern = Pattern(
            source: #"^\d{1,5} {a.addr} \{a.addr} {a.port}$"#,
            references: [.init(name: "a", owner: .client, field: "addr"), .init(name: "a", owner: .client, field: "port")],
            location: loc(1, 1))
        let rendered = pattern.rendered { $0.field == "port" ? "9" : "127.0.0.1:9" }
        #expect(rendered == #"^\d{1,5} 127\.0\.0\.1:9 \{a.addr} 9$"#)
    }

    @Test("a check has points, a hint, a timeout, its own start and upstreams")
    func checkHeader() throws {
        let script = try parseOK(
            """
            start --listen {listen}
            check "plain"
              connect a
            check "rich" points 3
              hint "Close both sides."
              timeout 20s
              upstream echo as up
              start --listen {listen} --upstream {upstream}
              limit fds 64
              connect b
            """)
        #expect(script.checks.map(\.name) == ["plain", "rich"])
        #expect(script.checks[0].points == 1)
        #expect(script.checks[0].hint == nil)
        let rich = script.checks[1]
        #expect(rich.points == 3)
        #expect(rich.hint == "Close both sides.")
        #expect(rich.timeout == .seconds(20))
        #expect(rich.descriptorLimit == 64)
        #expect(script.checks[0].descriptorLimit == nil)
        #expect(rich.upstreams.map(\.name) == ["up"])
        #expect(rich.start?.arguments.map(\.description) == ["--listen", "{listen}", "--upstream", "{upstream}"])
        #expect(rich.start?.location == loc(8, 3))
        #expect(rich.location == loc(4, 1))
        #expect(rich.steps.count == 1)
    }

    @Test("a hint may come after the steps")
    func lateHint() throws {
        let script = try parseOK("start --listen {listen}\ncheck \"c\"\n  connect a\n  hint \"late\"\n")
        #expect(script.checks[0].hint == "late")
    }

    @Test("the file's start may use upstreams that each check declares")
    func perCheckUpstreams() throws {
        let script = try parseOK(
            """
            start --listen {listen} --upstream {up.addr}
            check "echo"
              upstream echo as up
            check "sink"
              upstream sink as up
            """)
        #expect(script.checks.map { $0.upstreams.map(\.kind.keyword) } == [["echo"], ["sink"]])
    }
}

@Suite("Client steps")
struct ClientStepTests {
    @Test("connect with a target, a bound and an expected failure")
    func connect() throws {
        let s = try steps(
            """
            connect a
            connect b to {up.addr} within 500ms
            connect c to "127.0.0.1:9" fails within 1s
            """, header: "upstream silent as up\n")
        let a = try #require(s[0].connect)
        #expect(a == Connect(client: name("a", 4, 9), location: loc(4, 1)))
        let b = try #require(s[1].connect)
        #expect(b.target?.parts == [.placeholder(.upstreamAddress(name: "up", field: .addr))])
        #expect(b.within == .milliseconds(500))
        #expect(b.expectFailure == false)
        #expect(b.tls == nil)
        let c = try #require(s[2].connect)
        #expect(c.target?.literalValue == "127.0.0.1:9")
        #expect(c.expectFailure)
        #expect(c.within == .seconds(1))
    }

    @Test("tls-connect with SNI, CA, ALPN, no-verify and the default CA")
    func tlsConnect() throws {
        let s = try steps(
            """
            tls-connect a sni example.test ca {ca} alpn h2
            tls-connect b no-verify sni "other.test" within 2s
            tls-connect c
            tls-connect d sni bad.test fails
            """)
        let a = try #require(s[0].connect?.tls)
        #expect(a.serverName == "example.test")
        #expect(a.alpn == ["h2"])
        guard case .ca(let ca) = a.verification else { Issue.record("no CA"); return }
        #expect(ca.parts == [.placeholder(.ca)])
        let b = try #require(s[1].connect)
        #expect(b.tls?.verification == .off)
        #expect(b.tls?.serverName == "other.test")
        #expect(b.within == .seconds(2))
        let c = try #require(s[2].connect?.tls)
        #expect(c.serverName == nil)
        guard case .ca(let defaultCA) = c.verification else { Issue.record("no default CA"); return }
        #expect(defaultCA.parts == [.placeholder(.ca)])
        #expect(s[3].connect?.expectFailure == true)
    }

    @Test("send text, hex, a file, random data and named data")
    func send() throws {
        let s = try steps(
            """
            connect a
            send a "GET / HTTP/1.1\\r\\n"
            send a hex "16 03 01"
            send a file "fixtures/hello.bin"
            send a random 1MiB as x
            send a random 16KiB seed 42
            send a x within 3s
            """)
        #expect(s[1].send?.payload == .text(bytes("GET / HTTP/1.1\r\n")))
        #expect(s[2].send?.payload == .hex([0x16, 0x03, 0x01]))
        #expect(s[3].send?.payload == .file("fixtures/hello.bin"))
        #expect(s[4].send?.payload == .random(RandomData(size: 1 << 20, name: name("x", 7, 23))))
        #expect(s[5].send?.payload == .random(RandomData(size: 16 << 10, seed: 42)))
        #expect(s[6].send?.payload == .named(name("x", 9, 8)))
        #expect(s[6].send?.within == .seconds(3))
        #expect(s[1].send?.delivery == nil)
    }

    @Test("chunked and paced delivery")
    func chunks() throws {
        let s = try steps(
            """
            connect a
            send a file "x.bin" in chunks of 1 every 5ms
            send a random 64KiB in 16 chunks every 10ms within 5s
            send a "abc" in 3 chunks
            send a "abcd" every 0ms in chunks of 2
            """)
        #expect(s[1].send?.delivery == Delivery(chunking: .size(1), pause: .milliseconds(5)))
        #expect(s[2].send?.delivery == Delivery(chunking: .count(16), pause: .milliseconds(10)))
        #expect(s[2].send?.within == .seconds(5))
        #expect(s[3].send?.delivery == Delivery(chunking: .count(3)))
        #expect(s[4].send?.delivery == Delivery(chunking: .size(2), pause: .zero))
    }

    @Test("shutdown write, reset and close")
    func endings() throws {
        let s = try steps("connect a\nshutdown a write\nreset a\nclose a")
        #expect(s[1] == .shutdownWrite(ClientAction(client: name("a", 4, 10), location: loc(4, 1))))
        #expect(s[2] == .reset(ClientAction(client: name("a", 5, 7), location: loc(5, 1))))
        #expect(s[3] == .close(ClientAction(client: name("a", 6, 7), location: loc(6, 1))))
    }
}

@Suite("Expectations")
struct ExpectationTests {
    @Test("a client receives text, hex, a file, a pattern or named data")
    func data() throws {
        let s = try steps(
            """
            connect a
            send a random 1KiB as x
            expect a "hi\\n" within 1s
            expect a hex "0d 0a"
            expect a file "fixtures/reply.bin"
            expect a /HTTP\\/1\\.1 200 OK\\r\\n/ within 2s
            expect a x
            expect a received "more"
            """)
        #expect(s[2].expectClient?.expectation == .receives(.text(bytes("hi\n")), within: .seconds(1)))
        #expect(s[3].expectClient?.expectation == .receives(.hex([0x0D, 0x0A]), within: nil))
        #expect(s[4].expectClient?.expectation == .receives(.file("fixtures/reply.bin"), within: nil))
        #expect(
            s[5].expectClient?.expectation
                == .receives(.pattern(Pattern(source: "HTTP/1\\.1 200 OK\\r\\n", location: loc(8, 10))), within: .seconds(2)))
        #expect(s[6].expectClient?.expectation == .receives(.named(name("x", 9, 10)), within: nil))
        #expect(s[7].expectClient?.expectation == .receives(.text(bytes("more")), within: nil))
    }

    @Test("eof, reset and closed, with after and within in any order; silence for T")
    func ends() throws {
        let s = try steps(
            """
            connect a
            expect a eof within 1s
            expect a reset
            expect a closed after 250ms within 2s
            expect a closed within 2s after 250ms
            expect a silence for 500ms
            """)
        #expect(s[1].expectClient?.expectation == .ends(.eof, after: nil, within: .seconds(1)))
        #expect(s[2].expectClient?.expectation == .ends(.reset, after: nil, within: nil))
        #expect(s[3].expectClient?.expectation == .ends(.closed, after: .milliseconds(250), within: .seconds(2)))
        #expect(s[4].expectClient?.expectation == s[3].expectClient?.expectation)
        #expect(s[5].expectClient?.expectation == .silence(for: .milliseconds(500)))
    }

    @Test("what an upstream received, how its connection ended, how many connections it had")
    func upstream() throws {
        let s = try steps(
            """
            connect a
            send a "hello"
            expect up received "hello" within 1s
            expect up received /hel+o/
            close a
            expect up eof within 1s
            expect up closed
            expect up silence for 100ms
            expect up connections == 1
            expect up connections >= 1 within 2s
            """, header: "upstream sink as up\n")
        #expect(
            s[2].expectUpstream
                == UpstreamExpectation(
                    upstream: "up", condition: .stream(.receives(.text(bytes("hello")), within: .seconds(1))), location: loc(6, 1)))
        guard case .stream(.receives(.pattern(let p), nil)) = s[3].expectUpstream?.condition else { Issue.record("no pattern"); return }
        #expect(p.source == "hel+o")
        #expect(s[5].expectUpstream?.condition == .stream(.ends(.eof, after: nil, within: .seconds(1))))
        #expect(s[6].expectUpstream?.condition == .stream(.ends(.closed, after: nil, within: nil)))
        #expect(s[7].expectUpstream?.condition == .stream(.silence(for: .milliseconds(100))))
        guard case .connections(let c, nil) = s[8].expectUpstream?.condition else { Issue.record("no count"); return }
        #expect(c.op == .equal)
        #expect(c.rhs.summary == ["+1"])
        guard case .connections(let d, .some(let within)) = s[9].expectUpstream?.condition else { Issue.record("no count"); return }
        #expect(d.op == .greaterOrEqual)
        #expect(within == .seconds(2))
    }

    @Test("server log, no log, alive, exited")
    func server() throws {
        let s = try steps(
            """
            expect server log /accepted 127\\.0\\.0\\.1:\\d+/ within 1s
            expect server no log /panic|fatal/ for 500ms
            expect server no log /warning/
            expect server alive
            expect server alive for 1s
            stop
            expect server exited within 2s
            expect server exited status 0
            """)
        guard case .log(let p, .some(let t)) = s[0].serverCondition else { Issue.record("no log"); return }
        #expect(p.source == "accepted 127\\.0\\.0\\.1:\\d+")
        #expect(t == .seconds(1))
        guard case .noLog(let q, .some(let f)) = s[1].serverCondition else { Issue.record("no no-log"); return }
        #expect(q.source == "panic|fatal")
        #expect(f == .milliseconds(500))
        guard case .noLog(_, nil) = s[2].serverCondition else { Issue.record("no instant no-log"); return }
        #expect(s[3].serverCondition == .alive(for: nil))
        #expect(s[4].serverCondition == .alive(for: .seconds(1)))
        #expect(s[5] == .stop(loc(8, 1)))
        #expect(s[6].serverCondition == .exited(status: nil, within: .seconds(2)))
        #expect(s[7].serverCondition == .exited(status: 0, within: nil))
    }

    @Test("fds, rss and cpu: captures, comparisons and arithmetic with the right kind of number")
    func metrics() throws {
        let s = try steps(
            """
            fds as base
            rss as mem
            cpu as t0
            expect server fds <= base + 2 within 2s
            expect server fds < 100
            expect server rss <= 64MiB
            expect server rss <= mem + 16MiB - 4096
            expect server cpu <= 200ms
            expect server cpu < t0 + 50ms
            repeat 3 as i
              expect server fds >= base - i
            end
            """)
        #expect(s[0].capture == Capture(metric: .fds, name: "base", location: loc(3, 1)))
        #expect(s[1].capture?.metric == .rss)
        #expect(s[2].capture?.metric == .cpu)
        func metric(_ step: Step) -> (Metric, Comparison.Operator, [String], Quantity, Duration?)? {
            guard case .metric(let m, let c, let w) = step.serverCondition else { return nil }
            return (m, c.op, c.rhs.summary, c.rhs.quantity, w)
        }
        let a = try #require(metric(s[3]))
        #expect(a.0 == .fds && a.1 == .lessOrEqual && a.2 == ["+$base", "+2"] && a.3 == .count && a.4 == .seconds(2))
        #expect(try #require(metric(s[4])).2 == ["+100"])
        let rss = try #require(metric(s[5]))
        #expect(rss.0 == .rss && rss.2 == ["+67108864B"] && rss.3 == .bytes)
        #expect(try #require(metric(s[6])).2 == ["+$mem", "+16777216B", "-4096"])
        let cpu = try #require(metric(s[7]))
        #expect(cpu.0 == .cpu && cpu.2 == ["+0.2 seconds"] && cpu.3 == .duration)
        #expect(try #require(metric(s[8])).1 == .less)
        let inner = try #require(s[9].loop?.body.first)
        #expect(try #require(metric(inner)).2 == ["+$base", "-#i"])
    }
}

@Suite("Control")
struct ControlTests {
    @Test("repeat and parallel nest, with or without a counter; sleep")
    func loops() throws {
        let s = try steps(
            """
            repeat 3
              parallel 10 as i
                connect c{i}
                repeat 2 as j
                  send c{i} "x"
                  connect d{i}x{j}
                end
              end
              sleep 10ms
            end
            close c7
            expect d3x1 eof
            """)
        #expect(s.count == 3)
        let outer = try #require(s[0].loop)
        guard case .repeat = s[0] else { Issue.record("not repeat"); return }
        #expect(outer.count == 3)
        #expect(outer.variable == nil)
        #expect(outer.location == loc(3, 1))
        guard case .parallel(let inner) = outer.body[0] else { Issue.record("not parallel"); return }
        #expect(inner.count == 10)
        #expect(inner.variable == "i")
        #expect(inner.body.count == 2)
        let deepest = try #require(inner.body[1].loop)
        #expect(deepest.variable == "j")
        #expect(deepest.body[1].connect?.client.parts == [.literal("d"), .variable("i"), .literal("x"), .variable("j")])
        #expect(deepest.body[1].connect?.client.resolve(["i": 4, "j": 1]) == "d4x1")
        #expect(outer.body[1] == .sleep(Sleep(duration: .milliseconds(10), location: loc(11, 3))))
    }

    @Test("referencedFiles lists every fixture once")
    func files() throws {
        let script = try parseOK(
            """
            start --listen {listen}
            upstream sink as up
            check "a"
              connect a
              send a file "fixtures/a.bin"
              repeat 2
                send a file "fixtures/b.bin"
              end
              expect a file "fixtures/a.bin"
              expect up received file "fixtures/c.bin"
            """)
        #expect(script.referencedFiles == ["fixtures/a.bin", "fixtures/b.bin", "fixtures/c.bin"])
    }
}
