import Foundation
import Workbook

extension NetlabCLI {
    struct OpenedWorkbook {
        var root: URL
        var catalog: Catalog
        var store: StateStore
    }

    func openWorkbook() throws -> OpenedWorkbook {
        guard let root = PackageRoot.find(from: workingDirectory) else {
            throw CLIError(
                message:
                    "not inside a netlab workbook: no folder from \(workingDirectory.path) upwards has a Package.swift next to a lessons/ folder. Run netlab inside the netlab package.",
                code: ExitCode.environment)
        }
        let catalog = Catalog.load(root: root)
        let workbook = OpenedWorkbook(root: root, catalog: catalog, store: StateStore(root: root))
        keepPristineStarters(workbook)
        return workbook
    }

    /// On first sight of a lesson, keeps a copy of its starter in `.netlab/starters/` for `reset`
    /// (used when git cannot give the starter back).
    func keepPristineStarters(_ w: OpenedWorkbook) {
        let fm = FileManager.default
        for lesson in w.catalog.lessons where fm.fileExists(atPath: lesson.mainFile.path) {
            let copy = starterCopy(w, lesson)
            if !fm.fileExists(atPath: copy.path) {
                try? fm.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? fm.copyItem(at: lesson.mainFile, to: copy)
            }
        }
    }

    func starterCopy(_ w: OpenedWorkbook, _ lesson: Lesson) -> URL {
        w.root.appendingPathComponent(".netlab/starters/\(lesson.slug)/main.swift")
    }

    /// The lesson with number `n`, or a usage error that lists the lessons.
    func findLesson(_ n: Int, _ w: OpenedWorkbook, command: String) throws -> Lesson {
        if let lesson = w.catalog.lesson(number: n) { return lesson }
        let list = w.catalog.lessons.map { String(format: "  %02d  %@", $0.number, $0.title) }.joined(separator: "\n")
        let message =
            w.catalog.lessons.isEmpty
            ? "there is no lesson \(n): lessons/ has no lessons yet"
            : "there is no lesson \(n). The lessons are:\n\(list)"
        throw UsageError(message, command: command)
    }

    /// A path from the command line: absolute, or relative to the working directory.
    func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : workingDirectory.appendingPathComponent(path)
    }

    func relative(_ url: URL, _ w: OpenedWorkbook) -> String {
        let base = w.root.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
    }

    func saveState(_ w: OpenedWorkbook, _ change: (inout WorkbookState) -> Void) {
        do {
            try w.store.update(change)
        } catch {
            console.err("netlab: warning: could not save progress to \(relative(w.store.file, w)): \(error.localizedDescription)")
        }
    }

    /// The first lesson, in order, that is not passed and can be graded.
    func nextLesson(_ w: OpenedWorkbook, _ state: WorkbookState) -> Lesson? {
        w.catalog.lessons.first { $0.problems.isEmpty && !state.status(of: $0.slug).isPassed }
    }

}
