// swift-tools-version:6.1
// netlab: a workbook that teaches the network-programming patterns of Go's `net`, in Swift.
//
// Besides the fixed modules, the manifest makes one executable target for each lesson of
// `lessonNames` (below) in `lessons/` and `solutions/` (`lessonNN`, `solutionNN`). One target per folder means a compile error in one lesson never stops
// another lesson from building. `Tests/Mistakes/NN-slug/` folders become `mistakesNN`: each is
// the lesson's solution with one common mistake per file, chosen with NETLAB_MISTAKE, which the
// LessonTests grade to prove that every check can fail.
import Foundation
import PackageDescription

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

/// The lessons, in order. Each name is a folder in `lessons/` and, when it has one there, in
/// `solutions/` and `Tests/Mistakes/`; each becomes `lessonNN`, `solutionNN` and `mistakesNN`.
///
/// The list is written out, not read from the disk: SwiftPM caches what this file evaluates to,
/// keyed by its text (even across fresh clones on one machine), so a folder found by listing
/// `lessons/` would stay unbuilt until this file changed. A new lesson is a new line here.
/// CatalogTests checks that the list and the folders agree, and that each name is one
/// `Catalog.parseFolderName` reads as a lesson (`NN-slug`).
let lessonNames = [
    "01-accept-loop",
    "02-task-per-connection",
    "03-timeouts",
    "04-proxy",
    "05-sni-parse",
    "06-prefix-conn",
    "07-tls",
    "08-framing",
    "09-blocking-threads",
    "10-busy-wait",
    "11-event-loop",
    "12-backoff",
    "13-websocket-chat",
    "14-metrics",
    "15-graceful-shutdown",
]

/// The lessons that have a `main.swift` inside `parent`.
func lessonFolders(in parent: String) -> [String] {
    lessonNames.filter {
        FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent("\(parent)/\($0)/main.swift").path)
    }
}

/// One executable target per lesson or solution folder, without the files that are not code. Every
/// `.swift` file in the folder is part of it (lesson 13 gives several beside `main.swift`).
func lessonTargets(in parent: String, prefix: String) -> [Target] {
    lessonFolders(in: parent).map { folder in
        let path = "\(parent)/\(folder)"
        let notCode = ["README.md", "checks.netlab", "fixtures"].filter {
            FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent("\(path)/\($0)").path)
        }
        return .executableTarget(
            name: prefix + folder.prefix(2),
            dependencies: ["LessonKit", "NetCore", "NetTLS", "Syscall"],
            path: path,
            exclude: notCode
        )
    }
}

let lessonTargetList =
    lessonTargets(in: "lessons", prefix: "lesson") + lessonTargets(in: "solutions", prefix: "solution")
    + lessonTargets(in: "Tests/Mistakes", prefix: "mistakes")

/// The lesson tests grade every lesson, solution and mistakes program, so they depend on all.
let lessonTestTarget: Target = .testTarget(
    name: "LessonTests",
    dependencies: ["NetlabCommandLine", "Workbook", "CheckLanguage", "CheckResults", "CheckRuntime", "ProcessSupervision"]
        + lessonTargetList.map { .target(name: $0.name) },
    exclude: ["Golden", "OtherLanguage"]
)

let package = Package(
    name: "netlab",
    products: [
        .library(name: "NetCore", targets: ["NetCore"]),
        .library(name: "NetTLS", targets: ["NetTLS"]),
        .library(name: "LessonKit", targets: ["LessonKit"]),
        .library(name: "Syscall", targets: ["Syscall"]),
        .executable(name: "netlab", targets: ["netlab"]),
    ],
    targets: [
        .target(name: "CNetShim"),
        .target(name: "NetCore", dependencies: ["CNetShim"]),
        .executableTarget(name: "netcore-probe", dependencies: ["NetCore"], path: "Sources/NetCoreProbe"),
        .testTarget(name: "NetCoreTests", dependencies: ["NetCore", "CNetShim", "netcore-probe"]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "NetTLS", dependencies: ["NetCore", "COpenSSL"]),
        .testTarget(name: "NetTLSTests", dependencies: ["NetTLS", "NetCore"]),
        // Raw sockets and epoll for the lessons on blocking, busy-wait and event-loop servers, like
        // Go's `syscall` package: thin typed wrappers, errno as a Swift error. CSyscall is its C half:
        // the calls Glibc's module does not export (epoll, accept4), with the flags left to the caller.
        .target(name: "CSyscall"),
        .target(name: "Syscall", dependencies: ["CSyscall"]),
        .testTarget(name: "SyscallTests", dependencies: ["Syscall"]),
        .target(name: "LessonKit", dependencies: ["NetCore", "Syscall", "NetTLS"]),
        .testTarget(
            name: "LessonKitTests",
            dependencies: ["LessonKit", "Syscall", "NetTLS", "ProcessSupervision", "netlab-testserver", "netlab-blockingserver"],
            exclude: ["Fixtures"]),
        // A lesson-shaped program with deliberate behaviours (echo, silent, crash, flood, …) that the
        // runtime tests grade as a real process.
        .executableTarget(
            name: "netlab-testserver", dependencies: ["LessonKit", "NetCore", "NetTLS"],
            path: "Sources/NetlabTestServer"),
        // The same for `LessonProgram.runBlocking`: an echo server on raw blocking sockets, a thread
        // per connection.
        .executableTarget(
            name: "netlab-blockingserver", dependencies: ["LessonKit", "Syscall"], path: "Sources/NetlabBlockingServer"),
        // netlab itself, in layers; each module imports only the ones above it in this list
        // (docs/architecture.md is the map).
        // The check language: `checks.netlab` read into checks and steps. Imports nothing at all.
        .target(name: "CheckLanguage"),
        // Starting lesson programs and everything they start, watching them, stopping them all.
        .target(name: "ProcessSupervision", dependencies: ["CNetShim"]),
        // A verdict as data: check and lesson results, how a program ended, the results file and
        // its signature, the escaping of every text a program sent.
        .target(name: "CheckResults", dependencies: ["NetTLS"]),
        // The check runner: runs one lesson's checks against a running program over real sockets.
        .target(
            name: "CheckRuntime",
            dependencies: ["CheckLanguage", "CheckResults", "ProcessSupervision", "NetCore", "NetTLS"]),
        // The workbook: the lesson catalog, the learner's state, building a lesson, grading it,
        // and every way a verdict is shown (terminal, Markdown, JSON, JUnit, the class report).
        .target(name: "Workbook", dependencies: ["CheckLanguage", "CheckResults", "CheckRuntime", "ProcessSupervision"]),
        // `netlab bench`: workloads, the interleaved rounds that drive a lesson's program with
        // netload, their statistics, and the table, histogram and JSON they end in.
        .target(name: "Bench", dependencies: ["Workbook", "CheckResults", "CheckRuntime", "ProcessSupervision"]),
        // `netlab class serve`: the instructor's live board (an HTTP server on NetCore), its state
        // on disk, and the page it serves.
        .target(name: "ClassBoard", dependencies: ["Workbook", "CheckResults", "ProcessSupervision", "NetCore", "NetTLS", "LessonKit"]),
        // The `netlab` command line: one file per command.
        .target(
            name: "NetlabCommandLine",
            dependencies: [
                "Workbook", "Bench", "ClassBoard", "CheckLanguage", "CheckResults", "CheckRuntime", "ProcessSupervision", "NetCore",
                "NetTLS",
            ]),
        .testTarget(
            name: "WorkbookTests",
            dependencies: [
                "NetlabCommandLine", "Workbook", "Bench", "ClassBoard", "CheckLanguage", "CheckResults", "CheckRuntime",
                "ProcessSupervision", "NetTLS", "NetCore", "netlab-testserver", "netload",
            ],
            exclude: ["Fixtures", "Golden"]),
        // Benchmarks: the driver (NetCore/NetTLS servers under test run as its hidden
        // `serve-…` subcommands) and a C epoll load generator, so the load is never the bottleneck.
        .executableTarget(name: "netbench", dependencies: ["NetCore", "NetTLS", "ProcessSupervision"], path: "Sources/netbench"),
        .executableTarget(
            name: "netload", path: "Sources/netload",
            cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto"), .linkedLibrary("pthread")]
        ),
        .executableTarget(name: "netlab", dependencies: ["NetlabCommandLine"], path: "Sources/netlab"),
    ] + lessonTargetList + [lessonTestTarget],
    swiftLanguageModes: [.v6]
)

/// Every Swift target runs nonisolated async functions on their caller's executor (SE-0461, a
/// default planned for a later language mode): no hop to the global executor on the way into
/// each call, which every socket read and write would otherwise pay. (The compiler still checks
/// the executor after each call returns: Benchmarks/README.md, session 13.) It is set on all the targets at once, never
/// on a few: it changes how such a function is called, and the compiler rebuilds every file of a
/// module whose settings changed but none of one whose settings stayed (which would go on calling
/// the old way and crash). C targets ignore Swift settings; a system library takes none.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
}
