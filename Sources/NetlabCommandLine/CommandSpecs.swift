/// Every netlab command: its usage line, summary, options. `netlab --help` and each command's
/// `--help` are made from these.
import Workbook
public enum NetlabCommands {
    public static let list = CommandSpec(
        name: "list", usage: "netlab [list]",
        summary: "Lists the lessons with their status (passed, failing, passed earlier but failing now, not started) and the next one to do.",
        details: "The status is your own program's last check (`--solution` and `--cmd` runs do not count). A lesson that passed once"
            + " and fails now (after `netlab reset`, or an edit that broke it) says so, with the date of the last pass and of the failing check.")

    public static let lesson = CommandSpec(
        name: "lesson", usage: "netlab lesson N",
        summary: "Shows lesson N's README in the terminal, the file to edit, and the command that checks it.",
        positionals: .oneLesson)

    public static let check = CommandSpec(
        name: "check", usage: "netlab check [N…] [--solution] [--cmd PROGRAM] [--json FILE [--key KEYFILE]] [--junit FILE] [--verbose]",
        summary: "Builds lesson N's program and runs its checks against it. Without N, checks every lesson and prints a score table.",
        options: [
            .init("solution", help: "grade the reference solution (solutions/NN-slug) instead of your file"),
            .init("cmd", value: "PROGRAM", help: "grade another program (any language); it is started with the lesson's flags; no build"),
            .init("json", value: "FILE", help: "write results as JSON (Exercism test-runner format v3, with points)"),
            .init("key", value: "KEYFILE", help: "sign the --json results with this class key (default: the file NETLAB_CLASS_KEY_FILE names)"),
            .init("junit", value: "FILE", help: "write results as JUnit XML"),
            .init("verbose", short: "v", help: "show every check in full: unfolded transcripts, passing checks too"),
        ],
        positionals: .lessons,
        details: "Exit status: 0 when every check of every lesson passed, 1 otherwise, 2 for a wrong command line, 3 when netlab cannot run checks here.")

    public static let run = CommandSpec(
        name: "run", usage: "netlab run N [--solution] [--cmd PROGRAM] [-- FLAGS…]",
        summary: "Builds lesson N's program and runs it in the foreground, so you can talk to it with nc, curl or openssl. Ctrl-C stops it.",
        options: [
            .init("solution", help: "run the reference solution instead of your file"),
            .init("cmd", value: "PROGRAM", help: "run another program instead of building one"),
        ],
        positionals: .oneLesson, passthrough: true,
        details: "netlab starts the program the way the lesson's checks do (the `upstream` and `start` lines of its checks.netlab):"
            + " it starts the upstreams the program needs (an echo server for lessons 4 and 7, two TLS echo servers for lesson 6),"
            + " passes the development certificate from .netlab/certs/ (`netlab cert`), listens on a free port, and prints the"
            + " commands to talk to it (nc, openssl s_client, curl) with that port. FLAGS after `--` replace the checks' flags of"
            + " the same name (`-- --upstream 127.0.0.1:9000` starts no upstream). Ctrl-C stops the program and the upstreams.")

    public static let hint = CommandSpec(
        name: "hint", usage: "netlab hint N [--all]",
        summary: "Shows the next hint for lesson N (\"hint 2 of 3\"). netlab remembers how many you have seen.",
        options: [.init("all", help: "show every hint")],
        positionals: .oneLesson)

    public static let watch = CommandSpec(
        name: "watch", usage: "netlab watch [N] [--verbose]",
        summary: "Checks lesson N (default: the next lesson to do) every time you save its files. When it passes, Enter goes on to the next lesson. Press q or Ctrl-C to stop.",
        options: [
            .init("verbose", short: "v", help: "show every check in full: unfolded transcripts, passing checks too"),
            .init("poll", help: "poll the files every 500 ms instead of using inotify"),
        ],
        positionals: .optionalLesson)

    public static let solution = CommandSpec(
        name: "solution", usage: "netlab solution N [--force]",
        summary: "Shows the reference solution of lesson N as a diff against your file, once the lesson passed.",
        options: [.init("force", help: "show it even though the lesson has not passed yet")],
        positionals: .oneLesson)

    public static let reset = CommandSpec(
        name: "reset", usage: "netlab reset N",
        summary: "Puts lesson N's starter file back. Your version is kept in .netlab/backup/.",
        positionals: .oneLesson)

    public static let cert = CommandSpec(
        name: "cert", usage: "netlab cert [--force]",
        summary: "Makes a local development CA and a certificate for localhost under .netlab/certs/ (like mkcert), for the TLS lessons.",
        options: [.init("force", help: "make a new CA and certificate even if they exist")])

    public static let report = CommandSpec(
        name: "report", usage: "netlab report FILE… [--key KEYFILE] [--html OUT.html]",
        summary: "Makes one class table from many students' `netlab check --json` files.",
        options: [
            .init("key", value: "KEYFILE", help: "check each file's signature with this class key: verified, unsigned or BAD SIGNATURE"),
            .init("html", value: "OUT.html", help: "also write the table as a self-contained HTML page"),
        ],
        positionals: .files,
        details: "Results are self-reported unless signed: a results file says whatever its author wrote. With a class key"
            + " (`netlab class-key FILE`), `check --json` signs its results and `report --key` shows which files verify."
            + " A file that fails is shown as BAD SIGNATURE and its claims are not counted. A file that cannot be read"
            + " (bad JSON, points out of range, larger than 16 MiB) is skipped with the reason; the rest are reported."
            + " Exit status: 0, or 1 when a file was skipped or a signature was bad.")

    public static let classKey = CommandSpec(
        name: "class-key", usage: "netlab class-key FILE",
        summary: "Makes a class key for signing results (32 random bytes as hex, readable by you only), for instructors.",
        positionals: .files,
        details: "Give the key to the class setup (NETLAB_CLASS_KEY_FILE=FILE, or `check --json OUT --key FILE`) and check"
            + " results with `netlab report --key FILE`. `openssl rand -hex 32 > FILE` makes a key just as good.")

    public static let all: [CommandSpec] = [list, lesson, check, run, hint, watch, solution, reset, cert, api, report, classKey]

    public static func overview(style: Style = .plain, version: String) -> String {
        var out = "netlab \(version) — a workbook for Go's net patterns, in Swift\n\n"
        out += "\(style.bold("usage:")) netlab COMMAND [ARGS…]\n\n\(style.bold("commands:"))\n"
        for spec in all {
            out += "  " + spec.name.padding(toLength: 10) + firstSentence(spec.summary) + "\n"
        }
        out += """

        A typical session:
          netlab                 what to do next
          netlab lesson 1        read the lesson
          netlab check 1         grade your lessons/01-…/main.swift
          netlab hint 1          stuck? one hint at a time
          netlab watch 1         re-check on every save
          netlab api NAME        a call's declaration and doc comment (`netlab api` lists them)

        The API in depth: docs/netcore.md (Go's net), docs/nettls.md (crypto/tls), docs/lessonkit.md.

        `netlab COMMAND --help` explains a command. Exit status: 0 success, 1 checks failed or the
        command failed, 2 wrong command line, 3 netlab cannot work here.
        """
        return out + "\n"
    }

    static func firstSentence(_ s: String) -> String {
        if let r = s.range(of: ". ") { return String(s[..<r.lowerBound]) + "." }
        return s
    }
}
