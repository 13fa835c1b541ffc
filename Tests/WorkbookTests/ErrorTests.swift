@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// Bad scripts and the exact first error each must produce: place, problem, and what was expected.
let badScripts: [(source: String, error: String)] = badScriptsFirstHalf + badScriptsSecondHalf

/// The first half of ``badScripts``.
let badScriptsFirstHalf: [(source: String, error: String)] = [
    (
        "start --listen {listen}\nupstream echo as up\ncheck \"c\"\n  connect a to up",
        "checks.netlab:4:16: error: `up` is not an address (did you mean `{up.addr}`?); expected HOST:PORT, such as {up.addr} or \"127.0.0.1:9\""
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a to {tmp}",
        "checks.netlab:3:16: error: `{tmp}` is a file or folder, not an address; expected HOST:PORT, such as {up.addr} or \"127.0.0.1:9\""
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  hint \"\"",
        "checks.netlab:3:8: error: empty string; expected the hint as a string after `hint`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  repeat 2\n    hint \"x\"\n  end",
        "checks.netlab:4:5: error: `hint` inside `repeat`; it belongs to the check: move it above the check's first step"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a \"\"",
        "checks.netlab:4:12: error: empty string: every expectation must wait for something; expected what `a` should get after `expect a`: a string, `hex \"…\"`, `file \"…\"`, a /pattern/, a data name, `eof`, `reset`, `closed`, `silence for T`, a key-value reply (`ok`, `not-ok`, `value V`, `reply …`), `ws …` or `http status N`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a \"x\" in chunks of 0",
        "checks.netlab:4:27: error: size `0` is zero; expected at least one byte"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  parallel 10001\n  end",
        "checks.netlab:3:12: error: `10001` is too large; expected a number of times (1 or more) after `parallel` (at most 10000)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a \"x\" within 2sx",
        "checks.netlab:4:23: error: unknown duration unit \"sx\" in \"2sx\"; expected us, ms, s or m"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  sleep 2",
        "checks.netlab:3:9: error: missing unit in duration `2`; expected a number followed by us, ms, s or m (such as 2ms or 2s)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a \"abc",
        "checks.netlab:4:10: error: unterminated string; add a closing `\"` on the same line"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server log /abc",
        "checks.netlab:3:21: error: unterminated pattern; add a closing `/` on the same line (write `\\/` for a slash inside it)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  parallel 5 as i\n    connect c{i}\n",
        "checks.netlab:3:3: error: `parallel` has no `end`; add `end` after its last step, before the end of the file"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  parallel 5 as i\n    connect c{i}\ncheck \"d\"\n  connect a",
        "checks.netlab:3:3: error: `parallel` has no `end`; add `end` after its last step, before the `check` at line 5"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expct a \"x\"",
        "checks.netlab:3:3: error: unknown command `expct`; did you mean `expect`?"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect",
        "checks.netlab:3:10: error: unexpected end of line; expected a client name after `connect`, such as `a` or `c{i}`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect \"a\"",
        "checks.netlab:3:11: error: unexpected string \"a\"; expected a client name after `connect`, such as `a` or `c{i}`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  repeat x",
        "checks.netlab:3:3: error: `repeat` has no `end`; add `end` after its last step, before the end of the file"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  repeat 0",
        "checks.netlab:3:3: error: `repeat` has no `end`; add `end` after its last step, before the end of the file"
    ),
    (
        "start --listen {listen}\ncheck \"c\" points 0",
        "checks.netlab:2:18: error: points must be a positive whole number; found `0`"
    ),
    (
        "start --listen {listen}\ncheck \"c\" points 1.5",
        "checks.netlab:2:18: error: points must be a positive whole number; found `1.5`"
    ),
    (
        "start --listen {listen}\ncheck \"c\" points -1",
        "checks.netlab:2:18: error: unexpected `-`; expected a positive whole number after `points`"
    ),
    (
        "start --listen {listen}\ncheck \"c\" points",
        "checks.netlab:2:17: error: unexpected end of line; expected a positive whole number after `points`"
    ),
    (
        "start --listen {listen}\ncheck \"c\" pionts 2",
        "checks.netlab:2:11: error: unexpected `pionts` after `check \"c\"` (did you mean `points`?); expected `points` or end of line"
    ),
    (
        "start --listen {listen}\nconnect a",
        "checks.netlab:2:1: error: `connect` outside a check; steps run inside checks: add a `check \"name\"` line above it"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\ncheck \"c\"",
        "checks.netlab:3:7: error: duplicate check name \"c\"; the first check with this name is at line 2"
    ),
    (
        "start --listen {lsten}\ncheck \"c\"",
        "checks.netlab:1:16: error: unknown placeholder `{lsten}` (did you mean `{listen}`?); expected {listen}, {upstream}, {metrics}, {ca}, {cert}, {key}, {fixtures}, {tmp} or {NAME.addr}, {NAME.host}, {NAME.port} for an upstream NAME (check \"c\" at line 2 uses the file\'s `start` line)"
    ),
    (
        "start --listen {listen} --upstream {up.addr}\ncheck \"c\"",
        "checks.netlab:1:36: error: unknown upstream `up` in `{up.addr}`; no upstream is declared (check \"c\" at line 2 uses the file\'s `start` line)"
    ),
    (
        "start --listen {listen} --upstream {upstream}\ncheck \"c\"",
        "checks.netlab:1:36: error: `{upstream}` needs an upstream, and none is declared; add one such as `upstream echo as up` (check \"c\" at line 2 uses the file\'s `start` line)"
    ),
    (
        "start --listen {listen} --upstream {up.adr}\nupstream echo as up\ncheck \"c\"",
        "checks.netlab:1:36: error: unknown field `.adr` in `{up.adr}` (did you mean `.addr`?); expected `.addr`, `.host` or `.port`"
    ),
    (
        "start --listen {listen} --upstream {up}\nupstream echo as up\ncheck \"c\"",
        "checks.netlab:1:36: error: `{up}` names an upstream; expected `{up.addr}`, `{up.host}` or `{up.port}` (check \"c\" at line 3 uses the file\'s `start` line)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  send a \"x\"",
        "checks.netlab:3:8: error: unknown client `a`; expected `connect a` earlier in the check"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  repeat 2 as i\n    connect c{i}\n  end\n  close c",
        "checks.netlab:6:9: error: unknown client `c`; expected `connect c` earlier in the check (known: `c{i}`)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  repeat 2 as i\n    connect c{i}\n    close d{i}\n  end",
        "checks.netlab:5:11: error: unknown client `d{i}` (did you mean `c{i}`?); expected `connect d{i}` earlier in the check (known: `c{i}`)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  repeat 2 as i\n    connect c{j}\n  end",
        "checks.netlab:4:14: error: unknown loop variable `{j}` in name `c{j}`; the enclosing loops count with `{i}`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  end",
        "checks.netlab:3:3: error: `end` without a `repeat` or `parallel` to close; a check needs no `end`: it ends at the next `check` line or at the end of the file"
    ),
    (
        "end",
        "checks.netlab:1:1: error: `end` without a `repeat` or `parallel` to close"
    ),
    (
        "hint \"x\"",
        "checks.netlab:1:1: error: `hint` outside a check; a hint belongs to a check: put it under a `check \"…\"` line"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  hint \"a\"\n  hint \"b\"",
        "checks.netlab:4:3: error: second `hint` in this check; the first is at line 3"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  upstream echo as up",
        "checks.netlab:4:3: error: `upstream` after the check\'s first step (`connect` at line 3); move it above: upstreams listen before the server starts"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a \"x\" every 5ms",
        "checks.netlab:4:14: error: `every` needs chunks to pause between; add `in N chunks` or `in chunks of SIZE`"
    ),
    (
        "start --listen {listen}\nupstream silent as up\ncheck \"c\"\n  expect up received \"x\"",
        "checks.netlab:4:13: error: upstream `up` is `silent`: it never reads, so it cannot have received anything; use `echo` or `sink` to record what the server sends"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server fds <= 2s",
        "checks.netlab:3:24: error: `2s` is a duration, but `fds` is a count; expected a whole number"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server fds <= base + 2",
        "checks.netlab:3:24: error: unknown value `base`; expected a count (such as 10 or base + 2), or a name captured earlier, as in `fds as base`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  rss as m\n  expect server fds <= m",
        "checks.netlab:4:24: error: `m` holds rss (a size in bytes), but `fds` is a count"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a hex \"16 0g\"",
        "checks.netlab:4:19: error: `g` is not a hex digit; expected pairs of 0-9 and a-f, as in \"16 03 01\""
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a hex \"16 0\"",
        "checks.netlab:4:18: error: hex digit `0` has no partner; write bytes as two digits, as in `0a`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a \"\\q\"",
        "checks.netlab:4:11: error: unknown escape `\\q` in string; expected \\n, \\r, \\t, \\\\, \\\", \\0 or \\xHH"
    ),
]

@Suite("Errors")
struct ErrorTests {
    @Test("each bad script reports the exact place and message", arguments: badScripts.indices)
    func exact(index: Int) {
        let (source, expected) = badScripts[index]
        #expect(firstError(source) == expected, "\(source)")
    }

    @Test("the description has the file:line:column: error: form, and a rendering with a caret")
    func format() throws {
        let source = "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a closed within 2sx\n"
        do {
            _ = try CheckScript.parse(source: source, file: "lessons/03-timeouts/checks.netlab")
            Issue.record("no error")
        } catch {
            #expect(error.location == ScriptLocation(file: "lessons/03-timeouts/checks.netlab", line: 4, column: 26))
            #expect(
                error.description == "lessons/03-timeouts/checks.netlab:4:26: error: unknown duration unit \"sx\" in \"2sx\"; expected us, ms, s or m"
            )
            #expect(
                error.rendered(source: source) == """
                    lessons/03-timeouts/checks.netlab:4:26: error: unknown duration unit "sx" in "2sx"; expected us, ms, s or m
                        expect a closed within 2sx
                                               ^
                    """)
        }
    }

    @Test("several errors are collected, in source order, one per bad line")
    func several() {
        let source = """
            start --listen {lsten}
            check "a"
              connect a
              send a "x" in 0 chunks
              expct a "x"
              sleep 2
            check "a"
              close b
              send c "unterminated
            """
        let errors = CheckScript.diagnose(source: source, file: "checks.netlab").map(\.description)
        #expect(
            errors == [
                "checks.netlab:1:16: error: unknown placeholder `{lsten}` (did you mean `{listen}`?); expected {listen}, {upstream}, {metrics}, {ca}, {cert}, {key}, {fixtures}, {tmp} or {NAME.addr}, {NAME.host}, {NAME.port} for an upstream NAME (check \"a\" at line 2 uses the file's `start` line)",
                "checks.netlab:4:17: error: `0` is too small; expected a number of chunks after `in`",
                "checks.netlab:5:3: error: unknown command `expct`; did you mean `expect`?",
                "checks.netlab:6:9: error: missing unit in duration `2`; expected a number followed by us, ms, s or m (such as 2ms or 2s)",
                "checks.netlab:7:7: error: duplicate check name \"a\"; the first check with this name is at line 2",
                "checks.netlab:8:9: error: unknown client `b`; expected `connect b` earlier in the check",
                "checks.netlab:9:10: error: unterminated string; add a closing `\"` on the same line",
            ])
    }

    @Test("a misspelt or broken block opener still pairs with its end")
    func brokenBlocks() {
        let misspelt = "start --listen {listen}\ncheck \"c\"\n  paralel 3 as i\n    connect c{i}\n  end\n  connect b\n"
        #expect(
            CheckScript.diagnose(source: misspelt, file: "checks.netlab").map(\.description) == [
                "checks.netlab:3:3: error: unknown command `paralel`; did you mean `parallel`?"
            ])
        let badCount = "start --listen {listen}\ncheck \"c\"\n  repeat many as i\n    connect c{i}\n  end\n"
        #expect(
            CheckScript.diagnose(source: badCount, file: "checks.netlab").map(\.description) == [
                "checks.netlab:3:10: error: unexpected `many`; expected a number of times (1 or more) after `repeat`"
            ])
    }

    @Test("a parallel without end is reported at the parallel, whatever follows")
    func unterminatedBlocks() {
        let source = "start --listen {listen}\ncheck \"c\"\n  repeat 2\n    parallel 5 as i\n      connect c{i}\n    end\n"
        #expect(
            CheckScript.diagnose(source: source, file: "checks.netlab").map(\.description) == [
                "checks.netlab:3:3: error: `repeat` has no `end`; add `end` after its last step, before the end of the file"
            ])
    }

    @Test("client names with loop variables are checked against what was connected")
    func interpolatedNames() throws {
        // Accepted: same template, another variable, a concrete instance.
        _ = try steps(
            """
            parallel 3 as i
              connect c{i}
              send c{i} "x"
            end
            repeat 3 as j
              close c{j}
            end
            close c2
            """)
        #expect(
            stepError("parallel 3 as i\n  connect c{i}\nend\nclose c")
                == "checks.netlab:6:7: error: unknown client `c`; expected `connect c` earlier in the check (known: `c{i}`)")
        #expect(
            stepError("parallel 3 as i\n  connect c{i}\nend\nclose cx")
                == "checks.netlab:6:7: error: unknown client `cx`; expected `connect cx` earlier in the check (known: `c{i}`)")
        #expect(
            stepError("parallel 3 as i\n  close c{i}\n  connect c{i}\nend")
                == "checks.netlab:4:9: error: unknown client `c{i}`; expected `connect c{i}` earlier in the check")
        #expect(
            stepError("connect a\nrepeat 2 as i\n  send a{i} \"x\"\nend")
                == "checks.netlab:5:8: error: unknown client `a{i}`; expected `connect a{i}` earlier in the check (known: `a`)")
    }

    @Test("a check's own start is checked against its upstreams; the file's against each check")
    func startScopes() {
        #expect(firstError("check \"c\"\n  start --listen {listen} --upstream {up.addr}\n  upstream echo as up\n") == nil)
        #expect(
            firstError("check \"c\"\n  start --listen {listen} --upstream {upstream}\n  upstream echo as a\n  upstream echo as b\n")
                == "checks.netlab:2:38: error: `{upstream}` is ambiguous: there are 2 upstreams; expected one of `{a.addr}` or `{b.addr}`")
        #expect(
            firstError("upstream echo as up\ncheck \"c\"\n  start --listen {listen} --upstream {up.addr}\n  upstream sink as up\n")
                == "checks.netlab:4:20: error: upstream `up` is already declared at line 1")
    }
}
