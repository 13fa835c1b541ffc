@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

@Suite("Catalog")
struct CatalogTests {
    /// Package.swift writes its lessons out (SwiftPM caches the manifest by its text, so a
    /// folder it found by listing would go unbuilt); this holds the list to the folders netlab's
    /// catalog reads, so a lesson cannot be listed by netlab and not built, or the reverse.
    @Test("Package.swift's lesson list is exactly the lesson folders the catalog reads")
    func manifestListsEveryLesson() throws {
        let manifest = try String(contentsOf: packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let list = try #require(manifest.range(of: "let lessonNames = ["))
        let end = try #require(manifest[list.upperBound...].range(of: "]"))
        let listed = manifest[list.upperBound..<end.lowerBound].split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("\"") }
            .map { String($0.dropFirst().prefix { $0 != "\"" }) }
        let catalog = Catalog.load(root: packageRoot)
        #expect(listed == catalog.lessons.map(\.slug), "Package.swift lists \(listed)")
        for name in listed {
            #expect(Catalog.parseFolderName(name) != nil, "\(name) is not NN-slug")
        }
        for parent in ["solutions", "Tests/Mistakes"] {
            let folders = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(parent).path)
                .filter { Catalog.parseFolderName($0) != nil }
            #expect(Set(folders).isSubset(of: Set(listed)), "\(parent) has folders Package.swift does not list: \(folders)")
        }
    }

    @Test func discoversLessonsAndSolutions() throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let catalog = Catalog.load(root: wb.root)
        #expect(catalog.lessons.map(\.slug) == ["01-echo", "02-timeouts"])
        let echo = try #require(catalog.lesson(number: 1))
        #expect(echo.title == "Echo server")
        #expect(
            echo.summary
                == "Accept connections and write back every byte each client sends, until it closes. This is Go's `io.Copy(conn, conn)` in Swift.")
        #expect(echo.hints.map(\.title) == ["Start with the loop", "One task per client", "Half-close"])
        #expect(echo.hints[1].body == "Wrap the copy in a `Task { }` so the next `accept` runs at once.")
        #expect(echo.mainFile.lastPathComponent == "main.swift")
        #expect(echo.relativePath(echo.mainFile, root: wb.root) == "lessons/01-echo/main.swift")
        #expect(echo.checksFile != nil)
        #expect(echo.solutionFile?.path.hasSuffix("solutions/01-echo/main.swift") == true)
        #expect(echo.productName == "lesson01")
        #expect(echo.solutionProductName == "solution01")
        #expect(echo.problems.isEmpty)
        #expect(echo.isGradable)
        let timeouts = try #require(catalog.lesson(number: 2))
        #expect(timeouts.solutionDirectory == nil)
        #expect(timeouts.hints.count == 1)
        #expect(catalog.lesson(number: 9) == nil)
    }

    @Test func missingChecksIsReportedNotFatal() throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try wb.write("lessons/03-nochecks/README.md", "# No checks\n\nText.\n")
        try wb.write("lessons/03-nochecks/main.swift", "print(1)\n")
        let catalog = Catalog.load(root: wb.root)
        let lesson = try #require(catalog.lesson(number: 3))
        #expect(lesson.checksFile == nil)
        #expect(!lesson.isGradable)
        #expect(lesson.problems == ["lessons/03-nochecks/checks.netlab is missing, so the lesson cannot be graded"])
        #expect(catalog.lessons.count == 3)
    }

    @Test func brokenFoldersAreReported() throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try wb.write("lessons/4-badname/main.swift", "print(1)\n")  // not NN-slug
        try wb.write("lessons/05-nomain/README.md", "# No main\n")  // no main.swift
        try wb.write("lessons/06-file", "not a folder")  // a file
        try wb.write("lessons/01-dup/main.swift", "print(1)\n")  // duplicate number
        try wb.write("lessons/notes.md", "ignored\n")  // not a lesson at all
        try wb.write("solutions/09-orphan/main.swift", "print(1)\n")
        let catalog = Catalog.load(root: wb.root)
        #expect(catalog.lessons.map(\.slug) == ["01-dup", "01-echo", "02-timeouts", "4-badname", "05-nomain", "06-file"])
        let bad = try #require(catalog.lessons.first { $0.slug == "4-badname" })
        #expect(bad.number == 4)
        #expect(bad.problems.first?.contains("is not NN-slug") == true)
        let nomain = try #require(catalog.lesson(number: 5))
        #expect(nomain.problems.contains("lessons/05-nomain/main.swift is missing"))
        let file = try #require(catalog.lesson(number: 6))
        #expect(file.problems.contains("lessons/06-file is not a folder"))
        let dup = catalog.lessons.filter { $0.number == 1 }
        #expect(dup.allSatisfy { $0.problems.contains { $0.hasPrefix("another lesson has number 1") } })
        #expect(catalog.orphanSolutions == ["09-orphan"])
    }

    @Test func findsRootFromASubfolder() throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let deep = wb.url("lessons/01-echo/fixtures/more")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        #expect(PackageRoot.find(from: deep)?.standardizedFileURL.path == wb.root.standardizedFileURL.path)
        #expect(PackageRoot.find(from: wb.root)?.path == wb.root.standardizedFileURL.path)
        // A Package.swift without lessons/ is not a workbook root.
        let other = wb.root.deletingLastPathComponent().appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: other.appendingPathComponent("Sources"), withIntermediateDirectories: true)
        try "// x".write(to: other.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        #expect(PackageRoot.find(from: other.appendingPathComponent("Sources")) == nil)
    }

    @Test func readmeParts() {
        let md = """
            Some preface.

            # Title with `code`

            First paragraph
            continues here.

            Second paragraph.

            ## Hints

            ```
            ## not a heading
            ```

            ### One

            Body one.

            ```swift
            ### still body
            ```

            ### Two
            Body two.

            ## After

            ### Not a hint
            """
        let r = LessonReadme(markdown: md)
        #expect(r.title == "Title with `code`")
        #expect(r.summary == "First paragraph continues here.")
        #expect(r.hints.map(\.title) == ["One", "Two"])
        #expect(r.hints[0].body == "Body one.\n\n```swift\n### still body\n```")
        #expect(r.hints[1].body == "Body two.")
        #expect(LessonReadme(markdown: "no title").title == nil)
        #expect(LessonReadme(markdown: "# T\n## Next\ntext").summary == nil)
    }

    @Test func readmeWithoutHints() {
        let md = "# T\n\nText.\n\n## Hints\n\n### One\n\nx\n\n```\n## not a heading\n```\n\n## After\n\nMore.\n"
        #expect(LessonReadme.withoutHints(md) == "# T\n\nText.\n\n## After\n\nMore.\n")
    }

    @Test func folderNames() {
        #expect(Catalog.parseFolderName("04-proxy")! == (4, "proxy"))
        #expect(Catalog.parseFolderName("12-idle-timeouts")! == (12, "idle-timeouts"))
        #expect(Catalog.parseFolderName("4-proxy") == nil)
        #expect(Catalog.parseFolderName("04proxy") == nil)
        #expect(Catalog.parseFolderName("04-") == nil)
        #expect(Catalog.parseFolderName("04-a b") == nil)
        #expect(Catalog.titleFromSlug("05-idle-timeouts") == "Idle timeouts")
    }
}

@Suite("Catalog: lesson titles")
struct LessonTitleTests {
    @Test(arguments: [
        ("Lesson 4 — A proxy", "A proxy"),
        ("Lesson 4: A proxy", "A proxy"),
        ("Lesson 12 - Prefix conn", "Prefix conn"),
        ("lesson 3 – Timeouts", "Timeouts"),
        ("A proxy", "A proxy"),
        ("Lesson plans", "Lesson plans"),
        ("Lesson 4 —", "Lesson 4 —"),
    ])
    func headingWithoutTheNumber(_ heading: String, _ title: String) {
        #expect(LessonReadme.withoutLessonNumber(heading) == title)
    }
}
