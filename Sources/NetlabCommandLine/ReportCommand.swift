import CheckResults
import ClassBoard
import Foundation
import Workbook

/// `netlab report FILE…`: one class table from many students' results files.
struct ReportCommand: NetlabCommand, Equatable {
    static let name = "report"
    static let usage = "netlab report FILE… [--key KEYFILE] [--html OUT.html]"
    static let summary = "Makes one class table from many students' `netlab check --json` files."
    static let positionals = CommandSpec.Positionals.files
    static let details =
        "Results are self-reported unless signed: a results file says whatever its author wrote. With a class key"
        + " (`netlab class-key FILE`), `check --json` signs its results and `report --key` shows which files verify."
        + " A file that fails is shown as BAD SIGNATURE and its claims are not counted. A file that cannot be read"
        + " (bad JSON, points out of range, larger than 16 MiB) is skipped with the reason; the rest are reported."
        + " Exit status: 0, or 1 when a file was skipped or a signature was bad."

    enum Option: String, CommandOption {
        case key, html

        var form: CommandSpec.Option.Form {
            switch self {
            case .key: .value("KEYFILE", help: "check each file's signature with this class key: verified, unsigned or BAD SIGNATURE")
            case .html: .value("OUT.html", help: "also write the table as a self-contained HTML page")
            }
        }
    }

    /// The results files.
    var files: [String]
    /// `--key KEYFILE`: check signatures with this class key.
    var key: String?
    /// `--html OUT.html`: also write the table as HTML.
    var html: String?

    init(_ arguments: CommandArguments<Option>) {
        files = arguments.files
        key = arguments.value(.key)
        html = arguments.value(.html)
    }

    /// Reads no workbook: an instructor runs it anywhere.
    func run(_ cli: NetlabCLI) async throws -> Int32 { try cli.report(self) }
}

extension NetlabCLI {
    func report(_ c: ReportCommand) throws -> Int32 {
        let key = try c.key.map { try readClassKey($0) }
        var files: [(name: String, data: Data)] = []
        var unreadable: [String] = []
        var stateProblems: [String] = []
        for file in c.files {
            let path = resolve(file).path
            // A class board's state file (`netlab class serve`) holds many results files.
            if let start = readBounded(path, limit: 32), BoardState.isStateFile(start) {
                guard let data = readBounded(path, limit: Self.stateFileLimit), data.count <= Self.stateFileLimit else {
                    unreadable.append(file)
                    continue
                }
                let (inside, problems) = BoardState.files(inStateFile: data, named: file)
                files += inside
                stateProblems += problems
                continue
            }
            switch readBounded(path, limit: ResultsValidation.fileLimit) {
            case .some(let data): files.append((file, data))
            case .none: unreadable.append(file)
            }
        }
        var report = ClassReport(files: files, key: key)
        report.problems = unreadable.map { "\(UntrustedText.escaped($0)): cannot read the file" } + stateProblems + report.problems
        guard !report.rows.isEmpty else {
            for problem in report.problems { console.err("netlab: \(problem)") }
            throw CLIError(message: "no results to report", code: ExitCode.failure)
        }
        console.raw(report.renderText(style: style))
        if let html = c.html {
            let url = resolve(html)
            try report.renderHTML(generated: now()).write(to: url, atomically: true, encoding: .utf8)
            console.out("\nWrote \(html).")
        }
        return report.problems.isEmpty && report.badSignatures.isEmpty ? ExitCode.success : ExitCode.failure
    }

    /// The largest class board state file `report` reads (a workshop's is a few MiB).
    static let stateFileLimit = 256 << 20

    /// At most `limit + 1` bytes of the file (one more than allowed, so that the report can say
    /// the file is too big without reading all of it), or nil when it cannot be read.
    func readBounded(_ path: String, limit: Int) -> Data? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = FileHandle(forReadingAtPath: path)
        else { return nil }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: limit + 1)) ?? Data()
    }
}
