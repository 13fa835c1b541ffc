import CheckResults
import Foundation
import ProcessSupervision

/// Who a results file is about: the name `netlab report` merges a student's files by.
///
/// The first of `--student NAME`, `NETLAB_STUDENT`, `git config user.name` (the workbook's
/// repository, else the user's global setting) and `USER`. `check` says which one it used, once,
/// on the line that names the results file, so a student who sees the wrong name knows where it
/// came from.
struct StudentIdentity: Equatable, Sendable {
    var name: String
    /// `--student`, `NETLAB_STUDENT`, `git config user.name` or `USER`.
    var source: String

    /// What is wrong with a name (nil when it is fine): empty, too long, or with control
    /// characters, which would end up in a class table.
    static func problem(with name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.count > ResultsValidation.nameLimit { return "it is \(name.count) characters long (at most \(ResultsValidation.nameLimit))" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            return "it holds control characters (\(UntrustedText.escaped(name)))"
        }
        return nil
    }

    /// `--student NAME`, trimmed; a name that is not usable is a usage error (`check` refuses it
    /// before building anything), not a silent fall-through to the next source.
    static func flag(_ value: String?, command: String = "check") throws(UsageError) -> String? {
        guard let value else { return nil }
        let name = value.trimmingCharacters(in: .whitespaces)
        if let problem = problem(with: name) {
            throw UsageError("--student \(UntrustedText.escaped(value)): not a usable name: \(problem)", command: command)
        }
        return name
    }

    /// The identity from the first source that gives a usable name (`flag` is already checked,
    /// see ``flag(_:)``). `gitUserName` is only asked when the sources before it give nothing.
    static func resolve(
        flag: String?, environment: [String: String], gitUserName: () async -> String?
    ) async -> StudentIdentity? {
        if let flag { return StudentIdentity(name: flag, source: "--student") }
        if let name = usable(environment["NETLAB_STUDENT"]) { return StudentIdentity(name: name, source: "NETLAB_STUDENT") }
        if let name = usable(await gitUserName()) { return StudentIdentity(name: name, source: "git config user.name") }
        if let name = usable(environment["USER"]) { return StudentIdentity(name: name, source: "USER") }
        return nil
    }

    private static func usable(_ value: String?) -> String? {
        guard let name = value?.trimmingCharacters(in: .whitespacesAndNewlines), problem(with: name) == nil else { return nil }
        return name
    }

    /// `git config user.name` in `directory` (the workbook), bounded at 5 s; nil when git is
    /// missing, fails, or has no name.
    static func gitUserName(in directory: URL) async -> String? {
        guard
            let out = try? await ProcessRunner.run("git", ["-C", directory.path, "config", "user.name"], timeout: .seconds(5)),
            out.status == 0, !out.timedOut
        else { return nil }
        return String(out.stdoutText.prefix(1000))
    }
}
