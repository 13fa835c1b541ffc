import CheckResults
#if canImport(Glibc)
import Foundation
import Glibc
import Workbook
#endif

extension NetlabCLI {
    /// The environment variable that names the class key file, for the class setup: with it,
    /// every `netlab check --json FILE` signs its results without a flag to remember.
    static let classKeyVariable = "NETLAB_CLASS_KEY_FILE"

    // MARK: - report

    func report(_ p: ParsedCommand) throws -> Int32 {
        let key = try p.value("key").map { try readClassKey($0) }
        var files: [(name: String, data: Data)] = []
        var unreadable: [String] = []
        for file in p.files {
            switch readBounded(resolve(file).path, limit: ResultsValidation.fileLimit) {
            case .some(let data): files.append((file, data))
            case .none: unreadable.append(file)
            }
        }
        var report = ClassReport(files: files, key: key)
        report.problems = unreadable.map { "\(UntrustedText.escaped($0)): cannot read the file" } + report.problems
        guard !report.rows.isEmpty else {
            for problem in report.problems { console.err("netlab: \(problem)") }
            throw CLIError(message: "no results to report", code: ExitCode.failure)
        }
        console.raw(report.renderText(style: style))
        if let html = p.value("html") {
            let url = resolve(html)
            try report.renderHTML(generated: now()).write(to: url, atomically: true, encoding: .utf8)
            console.out("\nWrote \(html).")
        }
        return report.problems.isEmpty && report.badSignatures.isEmpty ? ExitCode.success : ExitCode.failure
    }

    /// At most `limit + 1` bytes of the file (one more than allowed, so that the report can say
    /// the file is too big without reading all of it), or nil when it cannot be read.
    func readBounded(_ path: String, limit: Int) -> Data? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: limit + 1)) ?? Data()
    }

    // MARK: - The class key

    /// Reads the key file `path` (relative to the working directory), or says why it cannot.
    func readClassKey(_ path: String) throws -> ClassKey {
        do {
            return try ClassKey.read(path: resolve(path).path, shownAs: UntrustedText.escaped(path))
        } catch {
            throw CLIError(message: error.message, code: ExitCode.failure)
        }
    }

    /// The key `check --json` signs with: `--key`, else NETLAB_CLASS_KEY_FILE; nil for neither.
    /// Read before any check runs, so that a wrong key file is said at once.
    func resultsSigningKey(_ p: ParsedCommand) throws -> ClassKey? {
        if let path = p.value("key") {
            guard p.value("json") != nil else {
                throw UsageError("`--key` signs the results of `--json FILE`; give --json too", command: "check")
            }
            return try readClassKey(path)
        }
        guard p.value("json") != nil, let path = environment[Self.classKeyVariable], !path.isEmpty else { return nil }
        return try readClassKey(path)
    }

    /// `netlab class-key FILE`: writes a new class key (32 random bytes as hex), readable by its
    /// owner only, and never over an existing file.
    func classKey(_ p: ParsedCommand) throws -> Int32 {
        guard p.files.count == 1, let file = p.files.first else {
            throw UsageError("`netlab class-key` takes one file: where to write the key", command: "class-key")
        }
        guard let text = ClassKey.generateHex() else {
            throw CLIError(message: "OpenSSL's random generator could not make a key", code: ExitCode.environment)
        }
        let path = resolve(file).path
        // O_EXCL: never replace a key the class already uses; 0600: only its owner reads it.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let why = errno == EEXIST ? "it exists already (a new key would make every signed file fail; remove it first if you mean to)"
                : String(cString: strerror(errno))
            throw CLIError(message: "cannot write \(file): \(why)", code: ExitCode.failure)
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else {
            throw CLIError(message: "cannot write \(file): \(String(cString: strerror(errno)))", code: ExitCode.failure)
        }
        console.out("Wrote a new class key to \(style.bold(file)) (readable by you only).")
        console.out()
        console.out("Give it to the class setup, so that results are signed:")
        console.out("  \(Self.classKeyVariable)=/path/to/\((file as NSString).lastPathComponent) \(commandName) check --json results.json")
        console.out("  (or \(commandName) check --json results.json --key \(file))")
        console.out("and check the results with it:")
        console.out("  \(commandName) report --key \(file) results/*.json")
        console.out()
        console.out(style.dim("A signature proves that a file was written by a netlab that had this key and was not changed since,"
                              + " not who ran the checks. Anyone who can read the key can sign anything, so a signature is as strong"
                              + " as the setup that keeps the key (a lab machine or CI runner that students cannot log in to, say)."))
        return ExitCode.success
    }
}
