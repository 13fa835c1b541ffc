/// The second half of ``badScripts`` (the suite is in ErrorTests.swift; the list is split to keep
/// each file under 400 lines).
let badScriptsSecondHalf: [(source: String, error: String)] = [
    (
        "check \"c\"\n  connect a",
        "checks.netlab:1:1: error: check \"c\" has no `start` line, and the file has none; add `start --listen {listen}` (and the lesson\'s flags) at the top of the file"
    ),
    (
        "start --listen {listen} --upstream {up.addr}\ncheck \"c\"\n  upstream echo as up\ncheck \"d\"",
        "checks.netlab:1:36: error: unknown upstream `up` in `{up.addr}`; no upstream is declared (check \"d\" at line 4 uses the file\'s `start` line)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a clsoed",
        "checks.netlab:4:12: error: unknown word `clsoed` (did you mean `closed`?); expected what `a` should get after `expect a`: a string, `hex \"…\"`, `file \"…\"`, a /pattern/, a data name, `eof`, `reset`, `closed`, `silence for T`, a key-value reply (`ok`, `not-ok`, `value V`, `reply …`), `ws …` or `http status N`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  shutdown a",
        "checks.netlab:4:13: error: unexpected end of line; expected `write` after `shutdown a` (a client can only half-close its sending side: `shutdown a write`)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  close a now",
        "checks.netlab:4:11: error: unexpected `now` after `close a`; expected end of line"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a eof within 1s within 2s",
        "checks.netlab:4:26: error: `within` given twice in this line"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a closed after 2s within 1s",
        "checks.netlab:4:12: error: `after 2s` is not shorter than `within 1s`; expected an `after` bound below the `within` bound"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server log //",
        "checks.netlab:3:21: error: empty pattern `//`; expected a regular expression between the slashes"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server log /a(b/",
        "checks.netlab:3:21: error: invalid regular expression /a(b/: expected \')\'"
    ),
    (
        "start --listen {listen}\nupstream echo as up\ncheck \"c\"\n  expect up \"x\"",
        "checks.netlab:4:13: error: what an upstream got is written `expect up received …`; expected `received` before the data"
    ),
    (
        "start --listen {listen}\nupstream echo as up\nupstream sink as up",
        "checks.netlab:3:18: error: upstream `up` is already declared at line 2"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect server",
        "checks.netlab:3:11: error: `server` is reserved for the lesson program; choose another client name"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  lesson \"x\"",
        "checks.netlab:3:3: error: `lesson` inside a check; the line is ignored anyway (a lesson's title is its README's first heading), so delete it"
    ),
    (
        "lesson \"Echo\"\nlesson \"Echo\"\nstart --listen {listen}",
        "checks.netlab:2:1: error: second `lesson` line; the first is at line 1"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a @",
        "checks.netlab:3:13: error: unexpected character `@`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  paralel 3 as i\n    connect c{i}\n  end\n  connect b",
        "checks.netlab:3:3: error: unknown command `paralel`; did you mean `parallel`?"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a \"x\" 1s",
        "checks.netlab:4:16: error: unexpected `1s` after `expect a \"x\"`; expected `within` or end of line"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a",
        "checks.netlab:4:11: error: unexpected end of line; expected what `a` should get after `expect a`: a string, `hex \"…\"`, `file \"…\"`, a /pattern/, a data name, `eof`, `reset`, `closed`, `silence for T`, a key-value reply (`ok`, `not-ok`, `value V`, `reply …`), `ws …` or `http status N`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  peer echo as up",
        "checks.netlab:3:3: error: unknown command `peer`; checker-owned peers are declared with `upstream KIND as NAME` (KIND: echo, sink, reply-at-eof, silent, close, half-close, refuse, blackhole or tls-echo)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a random 1KiB",
        "checks.netlab:4:12: error: `random` makes data to send; to compare, send it with `random SIZE as x` and expect `x`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a x",
        "checks.netlab:4:12: error: unknown data name `x`; expected `send … random SIZE as x` earlier in the check"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a random 1KiB as eof",
        "checks.netlab:4:25: error: `eof` is a keyword; choose another name for the data"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  tls-connect a ca {ca} no-verify",
        "checks.netlab:3:25: error: `no-verify` contradicts `ca` (column 20); keep one"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server rss <= 64MB",
        "checks.netlab:3:24: error: unknown size unit \"MB\" in \"64MB\"; expected B, KiB, MiB or GiB (did you mean MiB? sizes count in powers of 1024)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  timeout 0s",
        "checks.netlab:3:11: error: `timeout 0s` is zero; expected a duration greater than zero"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  repeat 2 as i\n    repeat 2 as i\n    end\n  end",
        "checks.netlab:4:17: error: `i` is already the counter of the `repeat` at line 3; choose another name"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  repeat 2 as listen\n  end",
        "checks.netlab:3:15: error: `listen` is a placeholder name (`{listen}`); choose another loop variable name"
    ),
    (
        "start\ncheck \"c\"",
        "checks.netlab:1:6: error: unexpected end of line; expected the program\'s flags after `start`, such as `start --listen {listen}`"
    ),
    (
        "lesson Timeouts",
        "checks.netlab:1:8: error: unexpected `Timeouts`; expected a string after `lesson`, such as \"Timeouts\" (the line is ignored: the title is the README's first heading)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a file \"/etc/passwd\"",
        "checks.netlab:4:15: error: absolute path \"/etc/passwd\"; expected a path relative to the folder of the checks file, such as \"fixtures/hello.bin\""
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a file \"../x\"",
        "checks.netlab:4:15: error: path \"../x\" leaves the lesson folder; expected a path inside it, such as \"fixtures/hello.bin\""
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server exited status 300",
        "checks.netlab:3:31: error: `300` is too large; expected an exit status from 0 to 255 after `status` (at most 255)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect a silence within 1s",
        "checks.netlab:4:20: error: unexpected `within`; expected `for` after `silence`, as in `silence for 500ms`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server no log \"x\"",
        "checks.netlab:3:24: error: unexpected string \"x\" (log lines are matched with a /pattern/, not a string); expected a /pattern/ after `log`, such as /accepted 127\\.0\\.0\\.1/"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a.b",
        "checks.netlab:3:12: error: `.` is not allowed in name `a.b`; expected letters, digits, `_`, `-` and `{loop variable}`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a = b",
        "checks.netlab:3:13: error: unexpected `=`; did you mean `==`?"
    ),
    (
        "upstream tls-echo as up cert {cert}",
        "checks.netlab:1:30: error: `cert` without `key`; give both, or neither to use netlab\'s localhost certificate"
    ),
    (
        "upstream echo as up cert {cert}",
        "checks.netlab:1:21: error: unexpected `cert` after `upstream echo as up`; expected `down`, `reset`, `close` or end of line"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  limit fds 8",
        "checks.netlab:3:13: error: `8` is too small; expected the most descriptors the server may have open, 16 to 1048576 after `limit fds`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  limit files 64",
        "checks.netlab:3:9: error: unexpected `files`; expected `fds` after `limit` (as in `limit fds 64`)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  limit fds 64",
        "checks.netlab:4:3: error: `limit` after the check's first step (`connect` at line 3); move it above: the limit is set when the server starts"
    ),
    (
        "start --listen {listen}\nlimit fds 64",
        "checks.netlab:2:1: error: `limit` outside a check; a descriptor limit belongs to a check: put it under a `check \"…\"` line"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect server log /accepted {b.addr}/",
        "checks.netlab:4:21: error: `{b.addr}` in a pattern names no upstream and no client connected earlier in this check; expected an upstream's or a client's name"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  expect server log /accepted {a.host}/",
        "checks.netlab:4:21: error: `{a.host}` in a pattern; expected `{a.addr}` or `{a.port}`"
    ),
    (
        "upstream ecko as up",
        "checks.netlab:1:10: error: unexpected `ecko` (did you mean `echo`?); expected the kind of upstream after `upstream`: `echo`, `sink`, `reply-at-eof`, `silent`, `close`, `half-close`, `refuse`, `blackhole` or `tls-echo`"
    ),
    (
        "start --listen \"{listen}",
        "checks.netlab:1:16: error: unterminated string in argument; add a closing `\"` on the same line"
    ),
    (
        "start --listen {listen}\nstart --listen {listen}",
        "checks.netlab:2:1: error: second `start` line; the file\'s start line is at line 1 (a check can have its own `start` line)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server fds <=",
        "checks.netlab:3:23: error: unexpected end of line; expected a count (such as 10 or base + 2)"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server fds 3",
        "checks.netlab:3:21: error: unexpected `3`; expected a comparison after `fds`: <, <=, ==, !=, >= or >"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  expect server fd <= 3",
        "checks.netlab:3:17: error: unexpected `fd` (did you mean `fds`?); expected `log`, `no log`, `alive`, `exited`, `fds`, `sockets`, `threads`, `rss`, `peak-rss`, `cpu` or `cpu-usage` after `expect server`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a \"x\" in 0 chunks",
        "checks.netlab:4:17: error: `0` is too small; expected a number of chunks after `in`"
    ),
    (
        "start --listen {listen}\ncheck \"c\"\n  connect a\n  send a \"x\" in chunks 2",
        "checks.netlab:4:24: error: unexpected `2`; expected `of` after `in chunks`, as in `in chunks of 1`"
    ),
]
