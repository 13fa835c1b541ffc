import Bench
import Foundation
import Workbook

/// `netlab bench N`: builds lesson N's program and the reference solution in release mode, and
/// drives both, interleaved round by round, with the lesson's workload (``Workloads``); prints
/// one table of medians with their spread and the ratio to the reference, a latency histogram,
/// and the load generator's own CPU. `--compare 9 10 11 8` puts several lessons' programs side
/// by side on the key-value workload (the table of seed 003).
struct BenchCommand: NetlabCommand, Equatable {
    static let name = "bench"
    static let usage =
        "netlab bench N [--cmd PROGRAM] [--rounds R] [--duration D] [--conns LIST] [--json FILE] | netlab bench --compare [N…] [--solutions]"
    static let summary =
        "Measures lesson N's program against the reference solution, in the same run, with the lesson's workload, and prints one table."
    static let positionals = CommandSpec.Positionals.lessons
    static let details = """
        Both programs are built with `swift build -c release` (the first release build compiles NetCore and may take
        minutes; builds are not part of the time bound) and started the way the checks start them. Each round starts
        every program in turn — reference, yours (or --cmd), reference, … — drives it with netload (Sources/netload,
        C over epoll, a process of its own) and reads the program's whole process tree from /proc: CPU per operation,
        memory, descriptors and threads per connection. The table shows the median of the rounds, the rate's spread
        (min–max) and the ratio to the reference; the line under it says how much CPU netload used and whether it,
        not the program, was the limit. With default settings a bench takes at most 60 s.

        Workloads: echo ping-pong at 1, 100 and 1,000 connections (lessons 1–3), proxy throughput to netlab's own
        sink at 1 and 8 streams (4; 6 behind a ClientHello), TLS handshakes per second (7), key-value put/get at 1
        and 100 connections plus the cost of 1,000 idle connections (8–11), line forwarding at 1 and 8 clients (12),
        and the fan-out of a WebSocket broadcast to 10 and 100 clients (13). Lesson 5 has none.

        --compare measures the key-value workload against each lesson given (default 9 10 11 8: blocking threads,
        busy-wait, event loop, NetCore) and prints threads, memory per connection, idle CPU and ops/s side by side.
        It measures your programs; --solutions measures the reference solutions instead. A program that does not
        build, does not start or answers nothing is one line in the table, not the end of the bench.
        """

    enum Option: String, CommandOption {
        case cmd, rounds, duration, conns, json, compare, solutions

        var form: CommandSpec.Option.Form {
            switch self {
            case .cmd: .value("PROGRAM", help: "measure another program (any language) instead of your file, beside the reference")
            case .rounds: .value("R", help: "rounds per program (default 3, at most 20)")
            case .duration: .value("D", help: "length of each measured load, e.g. 2s or 500ms (default: what fits in 60 s, at most 2s)")
            case .conns: .value("LIST", help: "connections (streams, clients) per scenario, e.g. 1,100,1000")
            case .json: .value("FILE", help: "write every number as JSON")
            case .compare: .flag(help: "put several lessons' programs side by side on the key-value workload (default 9 10 11 8)")
            case .solutions: .flag(help: "compare the reference solutions instead of your files (implies --compare)")
            }
        }
    }

    /// The lessons (one without `--compare`; none is refused when the command runs, with the
    /// lessons that have a workload).
    var lessons: [Int]
    var cmd: CommandProgram?
    var rounds: Int
    /// Seconds; nil: chosen to fit the bound.
    var duration: Double?
    var conns: [Int]?
    var json: String?
    var compare: Bool
    var solutions: Bool

    /// The most rounds, connections and seconds a command line may ask for.
    static let roundLimit = 20
    static let connectionLimit = 10_000
    static let durationLimit = 60.0

    init(_ arguments: CommandArguments<Option>) throws(UsageError) {
        solutions = arguments.flag(.solutions)
        // --solutions means something only beside --compare, so it asks for it.
        compare = arguments.flag(.compare) || solutions
        lessons = arguments.lessons
        json = arguments.value(.json)
        if compare {
            if lessons.isEmpty { lessons = [9, 10, 11, 8] }
            if arguments.value(.cmd) != nil {
                throw UsageError("--cmd measures one program beside the reference: not with --compare", command: Self.name)
            }
        } else if lessons.count > 1 {
            throw UsageError("one lesson at a time (or --compare)", command: Self.name)
        }
        cmd = try arguments.value(.cmd).map { text throws(UsageError) in try CommandProgram(text, command: Self.name) }
        rounds = try Self.integer(arguments.value(.rounds), option: "rounds", range: 1...Self.roundLimit) ?? 3
        duration = try arguments.value(.duration).map { text throws(UsageError) in try Self.seconds(text) }
        conns = try arguments.value(.conns).map { text throws(UsageError) in try Self.connections(text) }
    }

    func run(_ cli: NetlabCLI) async throws -> Int32 { try await cli.bench(self, try cli.openWorkbook()) }

    /// `--rounds 3`: a whole number in `range`.
    static func integer(_ text: String?, option: String, range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("--\(option) takes a whole number from \(range.lowerBound) to \(range.upperBound), not `\(text)`", command: name)
        }
        return value
    }

    /// `--duration 2s`, `500ms`, `1.5` (seconds): from 0.1 s to a minute.
    static func seconds(_ text: String) throws(UsageError) -> Double {
        let value: Double?
        if text.hasSuffix("ms") {
            value = Double(text.dropLast(2)).map { $0 / 1000 }
        } else if text.hasSuffix("s") {
            value = Double(text.dropLast())
        } else {
            value = Double(text)
        }
        guard let value, value.isFinite, value >= 0.1, value <= durationLimit else {
            throw UsageError("--duration takes a time from 100ms to 60s (like 2s or 500ms), not `\(text)`", command: name)
        }
        return value
    }

    /// `--conns 1,100,1000`: up to 8 whole numbers from 1 to 10,000.
    static func connections(_ text: String) throws(UsageError) -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var values: [Int] = []
        for part in parts {
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)), (1...connectionLimit).contains(value) else {
                throw UsageError(
                    "--conns takes a comma-separated list of connection counts from 1 to \(connectionLimit) (like 1,100,1000); `\(part)` is not one",
                    command: name)
            }
            values.append(value)
        }
        guard values.count <= 8 else { throw UsageError("--conns takes at most 8 counts", command: name) }
        return values
    }
}
