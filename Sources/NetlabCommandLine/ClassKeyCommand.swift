import CheckResults
import Foundation
import Glibc
import Workbook

/// `netlab class-key FILE`: a new class key for signing results, for instructors.
struct ClassKeyCommand: NetlabCommand, Equatable {
    static let name = "class-key"
    static let usage = "netlab class-key FILE | netlab class-key --student NAME --from CLASSKEY FILE"
    static let summary =
        "Makes a class key for signing results (32 random bytes as hex, readable by you only), or one student's own key, for instructors."
    static let positionals = CommandSpec.Positionals.files
    static let details =
        "Give the key to the class setup (NETLAB_CLASS_KEY_FILE=FILE, or `check --json OUT --key FILE`) and check"
        + " results with `netlab report --key FILE`. `openssl rand -hex 32 > FILE` makes a key just as good."
        + " With --student NAME --from CLASSKEY, FILE gets that student's own key instead: results it signs carry the"
        + " name NAME and verify under the class key as that student's only, so nobody can sign as a classmate."

    enum Option: String, CommandOption {
        case student, from

        var form: CommandSpec.Option.Form {
            switch self {
            case .student: .value("NAME", help: "make this student's own key (needs --from)")
            case .from: .value("CLASSKEY", help: "the class key the student's key is derived from")
            }
        }
    }

    /// Where to write the key.
    var file: String
    /// `--student NAME --from CLASSKEY`: a student's key instead of a new class key.
    var student: String?
    var from: String?

    init(_ arguments: CommandArguments<Option>) throws(UsageError) {
        guard arguments.files.count == 1, let file = arguments.files.first else {
            throw UsageError("`netlab class-key` takes one file: where to write the key", command: Self.name)
        }
        self.file = file
        student = try StudentIdentity.flag(arguments.value(.student), command: Self.name)
        from = arguments.value(.from)
        if (student == nil) != (from == nil) {
            throw UsageError("--student NAME and --from CLASSKEY go together: a student's key is derived from the class key", command: Self.name)
        }
    }

    /// Reads no workbook: an instructor runs it anywhere.
    func run(_ cli: NetlabCLI) async throws -> Int32 { try cli.classKey(self) }
}

extension NetlabCLI {
    /// The environment variable that names the class key file, for the class setup: with it,
    /// every `netlab check --json FILE` signs its results without a flag to remember.
    static let classKeyVariable = "NETLAB_CLASS_KEY_FILE"

    /// Reads the key file `path` (relative to the working directory), or says why it cannot.
    func readClassKey(_ path: String) throws -> ClassKey {
        do {
            return try ClassKey.read(path: resolve(path).path, shownAs: UntrustedText.escaped(path))
        } catch {
            throw CLIError(message: error.message, code: ExitCode.failure)
        }
    }

    /// `netlab class-key FILE`: writes a new class key (32 random bytes as hex), readable by its
    /// owner only, and never over an existing file.
    func classKey(_ c: ClassKeyCommand) throws -> Int32 {
        let file = c.file
        let text: String
        if let student = c.student, let from = c.from {
            let classKey = try readClassKey(from)
            guard classKey.student == nil else {
                throw CLIError(message: "\(from) is a student's key; give the class key", code: ExitCode.failure)
            }
            text = classKey.forStudent(student).fileText
        } else if let fresh = ClassKey.generateHex() {
            text = fresh
        } else {
            throw CLIError(message: "OpenSSL's random generator could not make a key", code: ExitCode.environment)
        }
        let path = resolve(file).path
        // O_EXCL: never replace a key the class already uses; 0600: only its owner reads it.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let why =
                errno == EEXIST
                ? "it exists already (a new key would make every signed file fail; remove it first if you mean to)"
                : String(cString: strerror(errno))
            throw CLIError(message: "cannot write \(file): \(why)", code: ExitCode.failure)
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else {
            throw CLIError(message: "cannot write \(file): \(String(cString: strerror(errno)))", code: ExitCode.failure)
        }
        if let student = c.student {
            console.out("Wrote \(UntrustedText.escaped(student))'s own key to \(style.bold(file)) (readable by you only).")
            console.out()
            console.out("Give it to that student only. On their machine, results are signed with it and carry their name:")
            console.out("  \(Self.classKeyVariable)=/path/to/\((file as NSString).lastPathComponent) \(commandName) check --json results.json")
            console.out("They verify with the class key, as that student's only: \(commandName) report --key CLASSKEY results/*.json")
            return ExitCode.success
        }
        console.out("Wrote a new class key to \(style.bold(file)) (readable by you only).")
        console.out()
        console.out("Give it to the class setup, so that results are signed:")
        console.out("  \(Self.classKeyVariable)=/path/to/\((file as NSString).lastPathComponent) \(commandName) check --json results.json")
        console.out("  (or \(commandName) check --json results.json --key \(file))")
        console.out("and check the results with it:")
        console.out("  \(commandName) report --key \(file) results/*.json")
        console.out()
        console.out(
            style.dim(
                "A signature proves that a file was written by a netlab that had this key and was not changed since,"
                    + " not who ran the checks. Anyone who can read the key can sign anything, so a signature is as strong"
                    + " as the setup that keeps the key (a lab machine or CI runner that students cannot log in to, say)."))
        return ExitCode.success
    }
}
