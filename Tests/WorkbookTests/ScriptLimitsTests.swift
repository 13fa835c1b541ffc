@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// Every size, count and duration a script can write is bounded when it is parsed, with the
/// place and the limit; arithmetic on script values is checked (issue 10).
@Suite("Script limits")
struct ScriptLimitsTests {
    /// Bodies of a check (from line 3) and the exact first error each must produce.
    static let outOfBounds: [(body: String, error: String)] = [
        (
            "  connect a\n  send a random 999999GiB",
            "checks.netlab:4:17: error: size `999999GiB` is too large; expected at most 256MiB after `random`"
        ),
        (
            "  connect a\n  send a random 257MiB",
            "checks.netlab:4:17: error: size `257MiB` is too large; expected at most 256MiB after `random`"
        ),
        (
            "  connect a\n  send a random 99999999999999999999GiB",
            "checks.netlab:4:17: error: size `99999999999999999999GiB` is too large"
        ),
        (
            "  parallel 100 as i\n    connect c{i}\n    send c{i} random 64MiB\n  end",
            "checks.netlab:5:22: error: 100 copies of `random 64MiB` in `parallel` would hold 6400MiB at once; expected at most 1GiB across the copies"
        ),
        (
            "  parallel 100 as i\n    parallel 200 as j\n    end\n  end",
            "checks.netlab:4:5: error: `parallel 200` inside `parallel` blocks that already run 100 copies would run 20000 copies at once; expected at most 10000 across nested `parallel` blocks"
        ),
        (
            "  connect a\n  send a \"x\" in chunks of 512MiB",
            "checks.netlab:4:27: error: size `512MiB` is too large; expected at most 256MiB after `of`"
        ),
        (
            "  connect a\n  send a \"x\" in 1000001 chunks",
            "checks.netlab:4:17: error: `1000001` is too large; expected a number of chunks after `in` (at most 1000000)"
        ),
        (
            "  connect a\n  send a random 2MiB in chunks of 1",
            "checks.netlab:4:3: error: `in chunks of` cuts 2MiB into 2097152 pieces; expected at most 1000000 pieces, so use larger chunks"
        ),
        (
            "  sleep 11m",
            "checks.netlab:3:9: error: duration `11m` is too long; expected at most 10m"
        ),
        (
            "  timeout 100000000s",
            "checks.netlab:3:11: error: duration `100000000s` is too long; expected at most 10m"
        ),
        (
            "  expect server fds <= 9223372036854775807 + 1",
            "checks.netlab:3:24: error: a count `9223372036854775807` is too large; expected at most 1000000000"
        ),
        (
            "  expect server fds <= 1000000001",
            "checks.netlab:3:24: error: a count `1000000001` is too large; expected at most 1000000000"
        ),
        (
            "  expect server rss <= 2048GiB",
            "checks.netlab:3:24: error: size `2048GiB` is too large; expected at most 1024GiB"
        ),
        (
            "  expect server cpu <= 1000m",
            "checks.netlab:3:24: error: duration `1000m` is too long; expected at most 10m"
        ),
    ]

    @Test("a size, count or duration past its limit is an error with its place and the limit", arguments: outOfBounds.indices)
    func outOfBound(index: Int) {
        let (body, expected) = Self.outOfBounds[index]
        #expect(stepError(body) == expected)
    }

    @Test("points past 1000 are refused")
    func points() {
        #expect(
            firstError("start --listen {listen}\ncheck \"c\" points 1001")
                == "checks.netlab:2:18: error: `points 1001` is too large; expected at most 1000 points for a check")
        #expect(
            firstError("start --listen {listen}\ncheck \"c\" points 99999999999999999999")
                == "checks.netlab:2:18: error: `points 99999999999999999999` is too large; expected at most 1000 points for a check")
    }

    @Test("values at the limits parse")
    func atTheLimits() throws {
        _ = try steps(
            """
              timeout 10m
              connect a
              send a random 256MiB in chunks of 256MiB within 10m
              send a "xyz" in 1000000 chunks
              parallel 16 as i
                connect c{i}
                send c{i} random 64MiB
              end
              expect server fds <= 1000000000 + 1000000000
              expect server rss <= 1024GiB
              expect server cpu <= 10m
            """)
    }

    @Test("sums are checked: a literal sum beyond 64 bits is refused, a run-time one gives nil")
    func checkedSums() {
        let big = Int.max
        let at = loc(1, 1)
        let overflow = Expression(
            terms: [
                Expression.Term(sign: .plus, operand: .integer(big), location: at),
                Expression.Term(sign: .plus, operand: .integer(1), location: loc(1, 9)),
            ],
            quantity: .count, location: at)
        #expect(overflow.checkedSum(Expression.literalValue) == nil)
        #expect(overflow.firstOverflowingLiteral()?.location == loc(1, 9))
        let under = Expression(
            terms: [
                Expression.Term(sign: .plus, operand: .integer(0), location: at),
                Expression.Term(sign: .minus, operand: .capture("base"), location: at),
                Expression.Term(sign: .minus, operand: .integer(big), location: at),
            ],
            quantity: .count, location: at)
        #expect(under.checkedSum { $0 == .capture("base") ? 2 : Expression.literalValue($0) } == nil)
        #expect(under.checkedSum { $0 == .capture("base") ? 0 : Expression.literalValue($0) } == -Int64(big))
        #expect(Duration.seconds(Int64.max).checkedNanoseconds == nil)
        #expect(Duration.milliseconds(1500).checkedNanoseconds == 1_500_000_000)
    }

    // MARK: Patterns

    static let nestedPatterns: [(body: String, error: String)] = [
        (
            "  expect server log /^(a+)+$/",
            "checks.netlab:3:23: error: `(a+)+` repeats a group that itself repeats without bound: such a pattern can take hours to fail on a line of 40 characters (catastrophic backtracking); expected a pattern without an unbounded repetition inside a repeated group, such as `a+` for `(a+)+`"
        ),
        (
            "  expect server log /x(?:a*b)*/",
            "checks.netlab:3:23: error: `(?:a*b)*` repeats a group that itself repeats without bound: such a pattern can take hours to fail on a line of 40 characters (catastrophic backtracking); expected a pattern without an unbounded repetition inside a repeated group, such as `a+` for `(a+)+`"
        ),
        (
            "  expect server log /((\\d+\\.)?x){2,}/",
            "checks.netlab:3:22: error: `((\\d+\\.)?x){2,}` repeats a group that itself repeats without bound: such a pattern can take hours to fail on a line of 40 characters (catastrophic backtracking); expected a pattern without an unbounded repetition inside a repeated group, such as `a+` for `(a+)+`"
        ),
        (
            "  connect a\n  expect a /\\/(a*)*?/",
            "checks.netlab:4:15: error: `(a*)*?` repeats a group that itself repeats without bound: such a pattern can take hours to fail on a line of 40 characters (catastrophic backtracking); expected a pattern without an unbounded repetition inside a repeated group, such as `a+` for `(a+)+`"
        ),
    ]

    @Test(
        "a group repeated without bound that repeats without bound inside is refused where it opens",
        arguments: nestedPatterns.indices)
    func nestedRepetition(index: Int) {
        let (body, expected) = Self.nestedPatterns[index]
        #expect(stepError(body) == expected)
    }

    @Test("patterns without nested unbounded repetition parse")
    func safePatterns() throws {
        for pattern in [
            #"/^(\d+\.){3}\d+$/"#, #"/(a+)?b/"#, #"/(a++)+/"#, #"/(a+)*+/"#, #"/[(a+)]+/"#, #"/\(a+\)+/"#,
            #"/\d{1,5}(x|y)+/"#, #"/(?i)closed .*: (connection reset by peer|broken pipe)$/"#,
            #"/\Q(a+)+\E/"#, #"/\p{L}+(ab)+/"#,
        ] {
            _ = try steps("  expect server log \(pattern)")
        }
    }
}
