@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// Every `lessons/*/checks.netlab` of the package, relative to the package root, sorted.
let lessonScripts: [String] = {
    let lessons = packageRoot.appendingPathComponent("lessons")
    let folders = (try? FileManager.default.contentsOfDirectory(atPath: lessons.path)) ?? []
    return folders.sorted().compactMap { folder in
        let path = "lessons/\(folder)/checks.netlab"
        return FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent(path).path) ? path : nil
    }
}()

@Suite("Lesson check scripts")
struct LessonScriptTests {
    /// Skipped, with the reason shown, while no lesson has a checks.netlab; not a silent pass.
    @Test(
        "every lessons/*/checks.netlab parses and its fixture files exist",
        .enabled(if: !lessonScripts.isEmpty, "no lessons/*/checks.netlab exists yet"))
    func lessonScriptsParse() throws {
        for path in lessonScripts {
            let url = packageRoot.appendingPathComponent(path)
            let source = try String(contentsOf: url, encoding: .utf8)
            let errors = CheckScript.diagnose(source: source, file: path)
            #expect(errors.isEmpty, "\(errors.map(\.description).joined(separator: "\n"))")
            guard errors.isEmpty else { continue }
            let script = try CheckScript.parse(source: source, file: path)
            #expect(!script.checks.isEmpty, "\(path) has no checks")
            for file in script.referencedFiles {
                let fixture = url.deletingLastPathComponent().appendingPathComponent(file)
                #expect(FileManager.default.fileExists(atPath: fixture.path), "\(path) uses \(file), which does not exist")
            }
        }
    }

    @Test("the lesson scan looks in the package's lessons folder")
    func scanLocation() {
        // Guards against a wrong root making the test above skip forever.
        #expect(FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent("Package.swift").path))
        #expect(lessonScripts.allSatisfy { $0.hasPrefix("lessons/") && $0.hasSuffix("/checks.netlab") })
    }
}
