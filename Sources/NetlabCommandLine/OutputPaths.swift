import Foundation
import Glibc

extension NetlabCLI {
    /// Checks, before anything is built or run, that the files of `--json` and `--junit` can be
    /// written: the folder exists and is writable, and the path is not a folder. A mistyped
    /// folder is then reported at once (exit status 2), not after every check has run.
    /// `paths` are the options and their values, in the order they are checked.
    func validateOutputPaths(_ paths: KeyValuePairs<String, String?>, command: String) throws {
        for (option, path) in paths {
            guard let path else { continue }
            if let problem = Self.outputPathProblem(resolve(path)) {
                throw UsageError("cannot write --\(option) \(path): \(problem)", command: command)
            }
        }
    }

    /// Why a results file cannot be written at `url`, or nil when it can (as far as can be told
    /// before writing it).
    static func outputPathProblem(_ url: URL) -> String? {
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if url.path.hasSuffix("/") || (FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue) {
            return "it is a folder; give a file name, such as results.json"
        }
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            return "the folder \(folder.path) does not exist"
        }
        guard isDirectory.boolValue else {
            return "\(folder.path) is not a folder"
        }
        guard access(folder.path, W_OK | X_OK) == 0 else {
            return "the folder \(folder.path) is not writable"
        }
        return nil
    }
}
