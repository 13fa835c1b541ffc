@testable import CheckLanguage
@testable import CheckRuntime
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// The sketch from DESIGN.md, verbatim.
let designSketch = """
    lesson "Timeouts"
    start --listen {listen} --idle-timeout 300ms

    check "closes an idle client after the idle timeout" points 2
      hint "Set the read deadline before every read, not once per connection."
      connect a
      expect a closed after 250ms within 2s

    check "idle clients do not block new ones"
      parallel 50 as i
        connect idle{i}
      end
      connect b
      send b "hi\\n"
      expect b "hi\\n" within 1s

    check "no leaked descriptors"
      fds as base
      parallel 100 as i
        connect c{i}
        close c{i}
      end
      expect server fds <= base + 2 within 2s
    """

@Suite("The design sketch")
struct SketchTests {
    @Test("parses into the expected syntax tree")
    func sketch() throws {
        let script = try parseOK(designSketch)
        let expected = CheckScript(
            file: "checks.netlab",
            defaultStart: StartSpec(
                arguments: [
                    Template(parts: [.literal("--listen")], location: loc(2, 7)),
                    Template(parts: [.placeholder(.listen)], location: loc(2, 16)),
                    Template(parts: [.literal("--idle-timeout")], location: loc(2, 25)),
                    Template(parts: [.literal("300ms")], location: loc(2, 40)),
                ], location: loc(2, 1)),
            defaultTimeout: nil,
            upstreams: [],
            checks: [
                Check(
                    name: "closes an idle client after the idle timeout", points: 2,
                    hint: "Set the read deadline before every read, not once per connection.",
                    steps: [
                        .connect(Connect(client: name("a", 6, 11), location: loc(6, 3))),
                        .expectClient(
                            ClientExpectation(
                                client: name("a", 7, 10),
                                expectation: .ends(.closed, after: .milliseconds(250), within: .seconds(2)),
                                location: loc(7, 3))),
                    ],
                    location: loc(4, 1)),
                Check(
                    name: "idle clients do not block new ones",
                    steps: [
                        .parallel(
                            Loop(
                                count: 50, variable: "i",
                                body: [
                                    .connect(
                                        Connect(
                                            client: NameTemplate(parts: [.literal("idle"), .variable("i")], location: loc(11, 13)),
                                            location: loc(11, 5)))
                                ], location: loc(10, 3))),
                        .connect(Connect(client: name("b", 13, 11), location: loc(13, 3))),
                        .send(Send(client: name("b", 14, 8), payload: .text(bytes("hi\n")), location: loc(14, 3))),
                        .expectClient(
                            ClientExpectation(
                                client: name("b", 15, 10),
                                expectation: .receives(.text(bytes("hi\n")), within: .seconds(1)),
                                location: loc(15, 3))),
                    ],
                    location: loc(9, 1)),
                Check(
                    name: "no leaked descriptors",
                    steps: [
                        .capture(Capture(metric: .fds, name: "base", location: loc(18, 3))),
                        .parallel(
                            Loop(
                                count: 100, variable: "i",
                                body: [
                                    .connect(
                                        Connect(
                                            client: NameTemplate(parts: [.literal("c"), .variable("i")], location: loc(20, 13)),
                                            location: loc(20, 5))),
                                    .close(
                                        ClientAction(
                                            client: NameTemplate(parts: [.literal("c"), .variable("i")], location: loc(21, 11)),
                                            location: loc(21, 5))),
                                ], location: loc(19, 3))),
                        .expectServer(
                            ServerExpectation(
                                condition: .metric(
                                    .fds,
                                    Comparison(
                                        op: .lessOrEqual,
                                        rhs: Expression(
                                            terms: [
                                                .init(sign: .plus, operand: .capture("base"), location: loc(23, 24)),
                                                .init(sign: .plus, operand: .integer(2), location: loc(23, 31)),
                                            ],
                                            quantity: .count, location: loc(23, 24))), within: .seconds(2)),
                                location: loc(23, 3))),
                    ],
                    location: loc(17, 1)),
            ],
            sourceLines: designSketch.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        #expect(script.defaultStart == expected.defaultStart)
        #expect(script.defaultTimeout == nil)
        #expect(script.upstreams.isEmpty)
        #expect(script.checks.count == 3)
        for (got, want) in zip(script.checks, expected.checks) {
            #expect(got == want)
        }
        #expect(script == expected)
    }

    @Test("keeps the source text of each step for transcripts")
    func sourceText() throws {
        let script = try parseOK(designSketch)
        let step = script.checks[0].steps[1]
        #expect(step.location == loc(7, 3))
        #expect(script.sourceText(at: step.location) == "expect a closed after 250ms within 2s")
        #expect(script.stepTimeout == CheckScript.builtInStepTimeout)
    }
}
