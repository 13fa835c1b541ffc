import CheckResults
import ClassBoard
import Foundation
import NetCore
import Workbook

/// `netlab class serve`: the instructor's live board, which students' `check --submit` posts to.
struct ClassCommand: NetlabCommand, Equatable {
    static let name = "class"
    static let usage = "netlab class serve [--key KEYFILE] [--listen HOST:PORT] [--state FILE]"
    static let summary = "Serves the live class board that students' `netlab check --submit URL` posts their results to, for instructors."
    static let positionals = CommandSpec.Positionals.files
    static let details =
        "The board shows every student's latest attempt per lesson, where the class is stuck (the checks students fail,"
        + " and the one most often failed first) and a timeline, and updates live (server-sent events). It takes only"
        + " results signed with the class key or a student's own key (`netlab class-key --student`), so nobody posts as"
        + " another. Every accepted post is appended to the state file at once: a restart loses nothing, and"
        + " `netlab report --key KEYFILE STATEFILE` reads it afterwards. It runs until Ctrl-C."

    enum Option: String, CommandOption {
        case key, listen, state

        var form: CommandSpec.Option.Form {
            switch self {
            case .key: .value("KEYFILE", help: "the class key posts must be signed with (default: the file NETLAB_CLASS_KEY_FILE names)")
            case .listen: .value("HOST:PORT", help: "where to listen (default 127.0.0.1:8080; 0.0.0.0:8080 for the room)")
            case .state: .value("FILE", help: "where the accepted results are kept (default class-board.jsonl)")
            }
        }
    }

    var key: String?
    var listen: String
    var state: String

    init(_ arguments: CommandArguments<Option>) throws(UsageError) {
        guard arguments.files == ["serve"] else {
            throw UsageError("`netlab class` takes one word: serve (`netlab class serve`)", command: Self.name)
        }
        key = arguments.value(.key)
        listen = arguments.value(.listen) ?? "127.0.0.1:8080"
        state = arguments.value(.state) ?? "class-board.jsonl"
    }

    /// Reads no workbook: an instructor runs it anywhere.
    func run(_ cli: NetlabCLI) async throws -> Int32 { try await cli.classServe(self) }
}

extension NetlabCLI {
    func classServe(_ c: ClassCommand) async throws -> Int32 {
        guard let keyPath = c.key ?? environment[Self.classKeyVariable].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw CLIError(
                message: "the board needs the class key, to take only signed results: --key KEYFILE (make one with `\(commandName) class-key FILE`)",
                code: ExitCode.usage)
        }
        let key = try readClassKey(keyPath)
        guard key.student == nil else {
            throw CLIError(message: "\(keyPath) is a student's own key; the board needs the class key", code: ExitCode.failure)
        }
        let state: BoardState
        do {
            state = try BoardState(file: resolve(c.state), key: key)
        } catch {
            throw CLIError(message: "\(error)", code: ExitCode.failure)
        }
        for problem in state.problems { console.err("netlab: \(c.state): \(problem)") }
        let listener: TCPListener
        do {
            listener = try TCPListener.listen(address: c.listen)
        } catch {
            throw CLIError(message: "cannot listen on \(c.listen): \(NetError.reason(of: error))", code: ExitCode.failure)
        }
        installInterruptHandler()
        let address = listener.address
        console.out("Class board on \(style.bold("http://\(address)/")) · state \(c.state) (\(state.all.count) results) · Ctrl-C stops it")
        console.out(
            style.dim(
                "Students post with: \(commandName) check N --submit http://HOST:\(address.port)/  (or NETLAB_SUBMIT_URL), signed with the class key or their own"
            ))
        let server = BoardServer(state: state) { [console] line in console.out(line) }
        try await server.serve(listener)
        return ExitCode.success
    }
}
