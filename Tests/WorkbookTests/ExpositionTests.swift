@testable import CheckRuntime
import Testing

/// The checker's reading of Prometheus's text format: good exposition passes, and each kind of
/// bad exposition fails with a message that names its line.
struct ExpositionTests {
    static let good = """
        # HELP chat_connections_active WebSocket clients connected now.
        # TYPE chat_connections_active gauge
        chat_connections_active 2
        # HELP chat_errors_total Connections ended by an error, by kind.
        # TYPE chat_errors_total counter
        chat_errors_total{kind="protocol"} 1
        chat_errors_total{kind="too_big"} 0
        # HELP chat_info The server's name.
        # TYPE chat_info gauge
        chat_info{name="a \\"b\\" \\\\ c\\nd"} 1
        # HELP chat_broadcast_duration_seconds Time to queue a message for every client.
        # TYPE chat_broadcast_duration_seconds histogram
        chat_broadcast_duration_seconds_bucket{le="0.001"} 3
        chat_broadcast_duration_seconds_bucket{le="0.01"} 4
        chat_broadcast_duration_seconds_bucket{le="+Inf"} 5
        chat_broadcast_duration_seconds_sum 0.0123
        chat_broadcast_duration_seconds_count 5

        """

    func parse(_ text: String) -> Exposition { Exposition.parse(Array(text.utf8)) }

    /// The first problem's text, or nil.
    func problem(_ text: String) -> String? { parse(text).problems.first?.description }

    @Test("good exposition has no problem, and its samples hold their values and unescaped labels")
    func goodExposition() {
        let e = parse(Self.good)
        #expect(e.problems.isEmpty, "\(e.problems)")
        #expect(e.samples.count == 9)
        #expect(e.samples.first { $0.name == "chat_info" }?.label("name") == "a \"b\" \\ c\nd")
        #expect(e.samples.first { $0.name == "chat_errors_total" }?.value == 1)
        #expect(e.families["chat_broadcast_duration_seconds"]?.type == "histogram")
        #expect(e.samples.first { $0.label("le") == "+Inf" }?.value == 5)
    }

    @Test("a sample with no TYPE before it")
    func missingType() {
        let text = "# HELP x_total Things.\nx_total 1\n"
        #expect(
            problem(text)
                == "line 2 of the scrape: \"x_total 1\" has no `# TYPE x_total …` line before it (every family needs one, before its samples)")
    }

    @Test("a TYPE after the samples, and a family with no HELP")
    func typeAfterSamplesAndNoHelp() {
        #expect(problem("x 1\n# HELP x X.\n# TYPE x gauge\n")?.hasPrefix("line 1 of the scrape: \"x 1\" has no `# TYPE x") == true)
        #expect(
            problem("# TYPE x gauge\nx 1\n")
                == "line 2 of the scrape: \"x 1\" belongs to `x`, which has no `# HELP x …` line (every family needs one)")
    }

    @Test("buckets that are not cumulative")
    func nonCumulative() {
        let text = Self.good.replacingOccurrences(of: "{le=\"0.01\"} 4", with: "{le=\"0.01\"} 1")
        let p = problem(text) ?? ""
        #expect(
            p.hasPrefix(
                "line 14 of the scrape: \"chat_broadcast_duration_seconds_bucket{le=\\\"0.01\\\"} 1\" counts 1 at le=\"0.01\", fewer than the 3 at le=\"0.001\" (line 13)"
            ), "\(p)")
    }

    @Test("a +Inf bucket that is not the count, and one that is missing")
    func infIsCount() {
        let p = problem(Self.good.replacingOccurrences(of: "_count 5", with: "_count 6")) ?? ""
        #expect(p.contains("line 17 of the scrape") && p.contains("says 6 observations, but the le=\"+Inf\" bucket (line 15) counts 5"), "\(p)")
        let q = problem(Self.good.replacingOccurrences(of: "chat_broadcast_duration_seconds_bucket{le=\"+Inf\"} 5\n", with: "")) ?? ""
        #expect(q.contains("has no le=\"+Inf\" bucket"), "\(q)")
    }

    @Test("bad escaping in a label value")
    func badEscaping() {
        let unknown = problem(Self.good.replacingOccurrences(of: "\\\\ c", with: "\\q c")) ?? ""
        #expect(unknown.contains("line 10 of the scrape") && unknown.contains("the only escapes in a label value are"), "\(unknown)")
        let quote = problem("# HELP i I.\n# TYPE i gauge\ni{name=\"a\"b\"} 1\n") ?? ""
        #expect(quote.contains("line 3 of the scrape") && quote.contains("is a `\"` in the value not escaped?"), "\(quote)")
        // A control byte in the line is shown escaped in the message.
        let control = problem("# HELP i I.\n# TYPE i gauge\ni{name=\"a\u{1b}\\z\"} 1\n") ?? ""
        #expect(control.contains("\\x1b") && !control.contains("\u{1b}"), "\(control)")
    }

    @Test("a duplicate series, and a family's lines apart")
    func duplicates() {
        let dup = problem(Self.good.replacingOccurrences(of: "{kind=\"too_big\"}", with: "{kind=\"protocol\"}")) ?? ""
        #expect(
            dup
                == "line 7 of the scrape: \"chat_errors_total{kind=\\\"protocol\\\"} 0\" is the same series as line 6 (a name and label set may appear once)"
        )
        let apart = "# HELP a A.\n# TYPE a gauge\na 1\n# HELP b B.\n# TYPE b gauge\nb 1\na{x=\"y\"} 2\n"
        #expect(problem(apart)?.contains("belongs to `a`, whose lines ended before") == true)
    }

    @Test("a counter without _total, a negative counter, a bad value, a missing final newline")
    func otherRules() {
        #expect(problem("# HELP x X.\n# TYPE x counter\nx 1\n")?.contains("does not end in `_total`") == true)
        #expect(problem("# HELP x_total X.\n# TYPE x_total counter\nx_total -1\n")?.contains("below zero") == true)
        #expect(problem("# HELP x X.\n# TYPE x gauge\nx one\n")?.contains("as its value; expected a number") == true)
        #expect(problem("# HELP x X.\n# TYPE x gauge\nx 1")?.contains("does not end with \\n") == true)
        #expect(problem("# HELP x X.\n# TYPE x meter\nx 1\n")?.contains("the type `meter`") == true)
    }

    @Test("a scrape of many bad lines keeps the first 100 problems and counts them all")
    func problemsBounded() {
        let e = Exposition.parse(Array(String(repeating: "x y z\n", count: 1000).utf8))
        #expect(e.problems.count == Exposition.maximumProblems && e.problemCount == 1000 && e.samples.isEmpty)
    }

    @Test("a scrape over 1 MiB is refused unread")
    func sizeCap() {
        let e = Exposition.parse([UInt8](repeating: UInt8(ascii: "#"), count: Exposition.maximumSize + 1))
        #expect(e.problems.count == 1 && e.samples.isEmpty)
    }
}

/// `scrape` and its expectations in the check language.
struct ScrapeSyntaxTests {
    @Test("scrape and its expectations parse")
    func parses() throws {
        let script = try parseOK(
            """
            start --listen {listen} --metrics-listen {metrics}
            check "c"
              scrape m "/metrics" within 2s
              expect m valid
              expect m metric chat_errors_total{kind="protocol"} == 1
              expect m metric "chat_info{name=\\"a b\\"}" >= 0.5 within 2s
              expect m no metric chat_errors_total{kind="x"}
              expect m type chat_errors_total counter
            """)
        let steps = script.checks[0].steps
        guard case .scrape(let s) = steps[0] else { Issue.record("not a scrape"); return }
        #expect(s.name == "m" && s.path == "/metrics" && s.within == .seconds(2) && s.from == nil)
        guard case .expectScrape(let e) = steps[2], case .value(let series, let op, let value, _) = e.condition else {
            Issue.record("not a value expectation")
            return
        }
        #expect(series.name == "chat_errors_total" && series.labels.map(\.value) == ["protocol"] && op == .equal && value == 1)
        guard case .expectScrape(let f) = steps[3], case .value(let info, _, let half, let within) = f.condition else { return }
        #expect(info.labels.first?.value == "a b" && half == 0.5 && within == .seconds(2))
    }

    @Test("errors name the line and column")
    func errors() {
        let head = "start --listen {listen} --metrics-listen {metrics}\ncheck \"c\"\n"
        #expect(
            firstError(head + "  scrape m metrics\n")
                == "checks.netlab:3:12: error: unexpected `metrics`; expected the path to GET as a string after the scrape's name, such as \"/metrics\""
        )
        #expect(
            firstError(head + "  scrape m \"/metrics\"\n  expect m metric x{kind=\"a} == 1\n")
                == "checks.netlab:4:29: error: malformed series `x{kind=\"a}`; expected a `\"` that closes the value of `kind`")
        #expect(
            firstError(head + "  scrape m \"/metrics\"\n  expect m metric x{kind=\"a\\q\"} == 1\n")?.hasPrefix("checks.netlab:4:") == true)
        #expect(
            firstError(head + "  scrape m \"/metrics\"\n  expect m metric x = 1\n")
                == "checks.netlab:4:21: error: unexpected `=`; did you mean `==`?")
        #expect(
            firstError(head + "  scrape m \"/metrics\"\n  expect m vaild\n")?.contains("(did you mean `valid`?)") == true)
        #expect(
            firstError(head + "  scrape m \"/metrics\"\n  expect m type x meter\n")?.hasPrefix("checks.netlab:4:19: error: unexpected `meter`")
                == true)
        #expect(firstError(head + "  scrape m \"/metrics\" from {tmp}\n")?.contains("is a file or folder, not an address") == true)
        #expect(
            firstError(head + "  expect m metric x == 1\n")
                == "checks.netlab:3:10: error: unknown scrape `m`; expected `scrape m \"/metrics\"` earlier in the check")
        #expect(
            firstError(head + "  scrape m \"/metrics\"\n  connect m\n")
                == "checks.netlab:4:11: error: `m` is a scrape; clients and scrapes need different names")
        #expect(
            firstError(head + "  connect m\n  scrape m \"/metrics\"\n")
                == "checks.netlab:4:10: error: `m` is a client; a scrape needs a name of its own")
    }
}
