// The benchmark driver: starts the servers under test and their baselines as separate
// processes, drives them with netload (C, epoll), and prints each figure beside the baselines
// measured in the same run, then the targets met or missed.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NetCore
import NetTLS

let MiB = 1 << 20
let GiB = 1 << 30

struct Target {
    var name: String
    var met: Bool?
    var detail: String
    /// A figure printed beside the targets for context, not a target itself.
    var reportedOnly = false
}

final class Bench {
    let quick: Bool
    /// `--lessons 8,13`: the lessons `twins` runs (all when empty).
    var twinLessons: Set<Int> = []
    let netload: String
    let netbench: String
    let packageRoot: String
    var goBinaries: [String: String] = [:]  // "proxy", "echo", "tlsserver" → path
    var targets: [Target] = []
    let bound: Int
    let scratch: String

    init(quick: Bool) throws {
        self.quick = quick
        bound = quick ? 120 : 900
        netbench = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // Sources/netbench/Driver.swift → the package root.
        packageRoot =
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let binDir = URL(fileURLWithPath: netbench).deletingLastPathComponent().path
        netload = binDir + "/netload"
        if access(netload, X_OK) != 0 {
            print("netload not built yet: swift build -c release --product netload")
            guard runQuietly(["swift", "build", "-c", "release", "--product", "netload"], cwd: packageRoot),
                access(netload, X_OK) == 0
            else {
                throw BenchError("could not build netload; run: swift build -c release --product netload")
            }
        }
        scratch = NSTemporaryDirectory() + "netbench-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        if which("go") == nil {
            print("go: not on PATH, Go baselines skipped")
        } else {
            let out = packageRoot + "/.build/netbench-go"
            try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for name in ["proxy", "echo", "tlsserver"] {
                let path = "\(out)/\(name)"
                if runQuietly(["go", "build", "-o", path, "\(packageRoot)/Benchmarks/go/\(name).go"], cwd: out) {
                    goBinaries[name] = path
                } else {
                    print("go: could not build Benchmarks/go/\(name).go, that baseline is skipped")
                }
            }
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: scratch) }

    // MARK: Processes

    /// A server that prints "port N".
    func startServer(_ name: String, _ argv: [String]) throws -> (Child, Int) {
        let child = try Child(argv, name: name, bound: bound)
        do {
            return (child, try child.waitForPort())
        } catch {
            child.stop()
            throw error
        }
    }

    func netcore(_ name: String, _ args: [String]) throws -> (Child, Int) {
        try startServer(name, [netbench] + args)
    }

    /// Runs netload to completion and returns its key=value result.
    func load(_ args: [String], environment: [String: String] = [:]) throws -> [String: String] {
        let child = try Child([netload] + args, name: "netload-\(args[0])", bound: bound, extraEnvironment: environment)
        let result = parseResult(child.waitForOutput())
        if result.isEmpty { throw BenchError("netload \(args.joined(separator: " ")) reported nothing") }
        return result
    }

    func number(_ result: [String: String], _ key: String) -> Double { Double(result[key] ?? "") ?? 0 }

    func printTargets() {
        print("\n== Targets ==")
        printTable(
            ["target", "result", "measured"],
            targets.map {
                [$0.name, $0.reportedOnly ? "reported" : $0.met.map { $0 ? "met" : "NOT MET" } ?? "not measured", $0.detail]
            }, leftColumns: 3)
    }
}

/// C's `stdout` (Swift 6 will not read the global directly), for line buffering into a pipe.
nonisolated(unsafe) let cStdout: UnsafeMutablePointer<FILE>? =
    dlsym(UnsafeMutableRawPointer(bitPattern: 0), "stdout")?.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee

func descriptorLimit() -> String {
    var limit = rlimit()
    getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    return "soft \(limit.rlim_cur), hard \(limit.rlim_max)"
}

func fmt(_ value: Double, _ digits: Int) -> String {
    if value.isNaN || value.isInfinite { return "-" }
    return String(format: "%.\(digits)f", value)
}

/// CPU use in cores.
func pct(_ cores: Double) -> String { fmt(cores, 2) }

/// An aligned table: the first `leftColumns` columns left-aligned, the rest right-aligned.
func printTable(_ header: [String], _ rows: [[String]], leftColumns: Int = 1) {
    let all = [header] + rows
    var widths = [Int](repeating: 0, count: header.count)
    for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    func line(_ row: [String]) -> String {
        row.enumerated().map { i, cell in
            let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
            return i < leftColumns ? cell + pad : pad + cell
        }.joined(separator: "  ")
    }
    print(line(header))
    print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
    for row in rows { print(line(row)) }
}

func runDriver(_ arguments: [String]) -> Int32 {
    setvbuf(cStdout, nil, _IOLBF, 0)
    installCleanup()
    raiseDescriptorLimit()
    var quick = false
    var which: [String] = []
    var lessons: Set<Int> = []
    var arguments = arguments[...]
    while let argument = arguments.popFirst() {
        switch argument {
        case "--quick": quick = true
        case "--lessons":
            let list = arguments.popFirst()?.split(separator: ",").map { Int($0) } ?? [nil]
            guard !list.isEmpty, list.allSatisfy({ $0 != nil && (1...99).contains($0!) }) else {
                print("netbench: --lessons takes a list of lesson numbers, as in --lessons 8,13")
                return 2
            }
            lessons = Set(list.compactMap { $0 })
        case "proxy", "echo", "idle", "connrate", "tls", "rsa", "twins": which.append(argument)
        case "all": which += ["proxy", "echo", "idle", "connrate", "tls", "rsa", "twins"]
        case "-h", "--help":
            print("usage: netbench [proxy|echo|idle|connrate|tls|rsa|twins|all] [--quick] [--lessons N,N]")
            return 0
        default:
            print("netbench: unknown argument \(argument)\nusage: netbench [proxy|echo|idle|connrate|tls|rsa|twins|all] [--quick] [--lessons N,N]")
            return 2
        }
    }
    if which.isEmpty { which = ["proxy", "echo", "idle", "connrate", "tls", "rsa", "twins"] }
    let started = now()
    do {
        let bench = try Bench(quick: quick)
        bench.twinLessons = lessons
        var uname = utsname()
        Glibc.uname(&uname)
        let release = withUnsafeBytes(of: &uname.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        print(
            "netbench\(quick ? " --quick" : ""): \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) CPUs, Linux \(release), loopback 127.0.0.1; descriptors \(descriptorLimit())"
        )
        print("go baselines: \(bench.goBinaries.isEmpty ? "none" : "built from Benchmarks/go (\(goVersion()))"); \(opensslVersion())")
        for part in which {
            do {
                switch part {
                case "proxy": try bench.proxy()
                case "echo": try bench.echo()
                case "rsa": try bench.rsa()
                case "idle": try bench.idle()
                case "connrate": try bench.connrate()
                case "tls": try bench.tls()
                case "twins": try bench.twins()
                default: break
                }
            } catch {
                print("!! \(part) failed: \(error)")
            }
        }
        bench.printTargets()
    } catch {
        print("netbench: \(error)")
        return 1
    }
    print("\ntotal time \(fmt(now() - started, 1)) s")
    return 0
}

func goVersion() -> String {
    guard which("go") != nil else { return "no go" }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["go", "version"]
    let out = Pipe()
    process.standardOutput = out
    try? process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

func opensslVersion() -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl", "version"]
    let out = Pipe()
    process.standardOutput = out
    try? process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
