import Foundation
import LessonKit

/// The path of an executable this package builds, such as `netlab-testserver`: the first one of
/// that name in the test binary's folder or a folder above it.
func builtExecutable(_ name: String) throws -> String {
    let exe = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    var directory = exe.deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
        directory = directory.deletingLastPathComponent()
    }
    throw FlagError("\(name) not found")
}
