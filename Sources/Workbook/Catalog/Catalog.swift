import Foundation

/// One lesson folder, `lessons/NN-slug/`, as discovered on disk.
public struct Lesson: Sendable, Equatable {
    /// 4 for `04-proxy`.
    public var number: Int
    /// The folder name: `04-proxy`.
    public var slug: String
    /// `lessons/04-proxy` (absolute).
    public var directory: URL
    /// From README.md's first `# ` heading; the slug's words when there is none.
    public var title: String
    /// README.md's first paragraph, if any.
    public var summary: String?
    public var hints: [LessonReadme.Hint]
    /// `lessons/04-proxy/main.swift`: the file the learner edits.
    public var mainFile: URL
    /// `lessons/04-proxy/checks.netlab`, nil when the folder has none.
    public var checksFile: URL?
    public var readmeFile: URL?
    /// `solutions/04-proxy/` when it exists (matched by number).
    public var solutionDirectory: URL?
    /// What is wrong with the folder, one sentence each (empty for a healthy lesson). A lesson
    /// with problems is listed, never fatal.
    public var problems: [String]

    /// `lesson04`: the SwiftPM product for the learner's program.
    public var productName: String { String(format: "lesson%02d", number) }
    /// `solution04`: the SwiftPM product for the reference solution.
    public var solutionProductName: String { String(format: "solution%02d", number) }
    /// `solutions/04-proxy/main.swift`, when a solution folder exists.
    public var solutionFile: URL? { solutionDirectory?.appendingPathComponent("main.swift") }
    /// Whether the lesson can be graded (it has a program and checks).
    public var isGradable: Bool { checksFile != nil && problems.isEmpty }

    public init(
        number: Int, slug: String, directory: URL, title: String, summary: String?,
        hints: [LessonReadme.Hint], mainFile: URL, checksFile: URL?, readmeFile: URL?,
        solutionDirectory: URL?, problems: [String]
    ) {
        self.number = number
        self.slug = slug
        self.directory = directory
        self.title = title
        self.summary = summary
        self.hints = hints
        self.mainFile = mainFile
        self.checksFile = checksFile
        self.readmeFile = readmeFile
        self.solutionDirectory = solutionDirectory
        self.problems = problems
    }

    /// The lesson's files relative to the package root: `lessons/04-proxy/main.swift`.
    public func relativePath(_ url: URL, root: URL) -> String {
        let base = root.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        if path.hasPrefix(base + "/") { return String(path.dropFirst(base.count + 1)) }
        return path
    }
}

/// The lessons of a netlab package, discovered from `lessons/NN-slug/` and
/// `solutions/NN-slug/`.
public struct Catalog: Sendable {
    public var root: URL
    /// Sorted by number, then slug.
    public var lessons: [Lesson]
    /// Folders in `solutions/` with no lesson of the same number.
    public var orphanSolutions: [String]

    public init(root: URL, lessons: [Lesson], orphanSolutions: [String] = []) {
        self.root = root
        self.lessons = lessons
        self.orphanSolutions = orphanSolutions
    }

    /// Reads `root/lessons` and `root/solutions`. Never throws: unreadable or malformed folders
    /// become lessons with `problems`.
    public static func load(root: URL, fileManager: FileManager = .default) -> Catalog {
        let lessonsDir = root.appendingPathComponent("lessons")
        let solutionsDir = root.appendingPathComponent("solutions")
        let names = ((try? fileManager.contentsOfDirectory(atPath: lessonsDir.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()

        var solutions: [Int: URL] = [:]
        var solutionNames: [Int: String] = [:]
        for name in ((try? fileManager.contentsOfDirectory(atPath: solutionsDir.path)) ?? []).sorted() {
            guard let (number, _) = parseFolderName(name), isDirectory(solutionsDir.appendingPathComponent(name), fileManager) else { continue }
            solutions[number] = solutionsDir.appendingPathComponent(name)
            solutionNames[number] = name
        }

        var lessons: [Lesson] = []
        for name in names {
            let dir = lessonsDir.appendingPathComponent(name)
            let parsed = parseFolderName(name)
            let leadingDigits = name.prefix(while: \.isNumber)
            // Only folders that look like lessons (start with a digit) are reported; other
            // entries (a stray README.md) are ignored.
            guard !leadingDigits.isEmpty else { continue }
            var problems: [String] = []
            let number: Int
            if let parsed {
                number = parsed.number
            } else {
                number = Int(leadingDigits) ?? 0
                problems.append("folder name \"\(name)\" is not NN-slug (two digits, a dash, a name), so SwiftPM makes no target for it")
            }
            guard isDirectory(dir, fileManager) else {
                problems.append("lessons/\(name) is not a folder")
                lessons.append(
                    Lesson(
                        number: number, slug: name, directory: dir, title: Self.titleFromSlug(name), summary: nil,
                        hints: [], mainFile: dir.appendingPathComponent("main.swift"), checksFile: nil,
                        readmeFile: nil, solutionDirectory: nil, problems: problems))
                continue
            }
            let main = dir.appendingPathComponent("main.swift")
            if !fileManager.fileExists(atPath: main.path) {
                problems.append("lessons/\(name)/main.swift is missing")
            }
            let checks = dir.appendingPathComponent("checks.netlab")
            let hasChecks = fileManager.fileExists(atPath: checks.path)
            if !hasChecks { problems.append("lessons/\(name)/checks.netlab is missing, so the lesson cannot be graded") }
            let readme = dir.appendingPathComponent("README.md")
            var parsedReadme = LessonReadme(title: nil, summary: nil, hints: [])
            var readmeURL: URL?
            if let text = try? String(contentsOf: readme, encoding: .utf8) {
                parsedReadme = LessonReadme(markdown: text)
                readmeURL = readme
                if parsedReadme.title == nil { problems.append("lessons/\(name)/README.md has no `# ` title") }
            } else {
                problems.append("lessons/\(name)/README.md is missing")
            }
            lessons.append(
                Lesson(
                    number: number, slug: name, directory: dir,
                    title: parsedReadme.title ?? Self.titleFromSlug(name), summary: parsedReadme.summary,
                    hints: parsedReadme.hints, mainFile: main, checksFile: hasChecks ? checks : nil,
                    readmeFile: readmeURL, solutionDirectory: solutions[number], problems: problems))
        }
        lessons.sort { ($0.number, $0.slug) < ($1.number, $1.slug) }
        // Two folders with one number would make two targets with one name.
        let counts = Dictionary(grouping: lessons, by: \.number).filter { $0.value.count > 1 }
        for i in lessons.indices where counts[lessons[i].number] != nil {
            let others = counts[lessons[i].number]!.map(\.slug).filter { $0 != lessons[i].slug }
            lessons[i].problems.append("another lesson has number \(lessons[i].number): \(others.joined(separator: ", "))")
        }
        let lessonNumbers = Set(lessons.map(\.number))
        let orphans = solutionNames.filter { !lessonNumbers.contains($0.key) }.map(\.value).sorted()
        return Catalog(root: root, lessons: lessons, orphanSolutions: orphans)
    }

    /// The lesson with this number (the first one when the number is duplicated).
    public func lesson(number: Int) -> Lesson? { lessons.first { $0.number == number } }

    /// `(4, "proxy")` for `04-proxy`; nil for any other shape. Every name in
    /// `Package.swift`'s `lessonNames` has this shape, and the list and the folders agree
    /// (CatalogTests).
    public static func parseFolderName(_ name: String) -> (number: Int, name: String)? {
        let chars = Array(name)
        guard chars.count >= 4, chars[0].isASCII, chars[0].isNumber, chars[1].isASCII, chars[1].isNumber, chars[2] == "-" else { return nil }
        let rest = String(chars[3...])
        guard rest.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        return (Int(String(chars[0...1]))!, rest)
    }

    /// `Proxy` for `04-proxy`, `Idle timeouts` for `05-idle-timeouts`.
    static func titleFromSlug(_ slug: String) -> String {
        let words = (parseFolderName(slug)?.name ?? slug).split(separator: "-").joined(separator: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    private static func isDirectory(_ url: URL, _ fm: FileManager) -> Bool {
        var isDir: ObjCBool = false
        return fm.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }
}
