import CheckLanguage
import CheckResults
import Foundation
import NetCore
import NetTLS
import Synchronization

/// Settings of one grading run.
public struct RunOptions: Sendable {
    /// Adds every read of every client to the transcript (not only what `expect`s matched).
    public var verbose: Bool
    /// Mixed into the seed of every `random` payload that has no `seed N` of its own, to vary
    /// the data between runs; nil keeps the documented, stable bytes.
    public var seed: UInt64?
    /// How long a program gets to exit after SIGTERM before SIGKILL, at the end of each check.
    public var stopGrace: Duration
    /// How long to wait for the ready line; nil means the script's default step bound.
    public var readyTimeout: Duration?
    /// Extra environment for the program.
    public var environment: [String: String]

    public init(
        verbose: Bool = false, seed: UInt64? = nil, stopGrace: Duration = .seconds(2),
        readyTimeout: Duration? = nil, environment: [String: String] = [:]
    ) {
        self.verbose = verbose
        self.seed = seed
        self.stopGrace = stopGrace
        self.readyTimeout = readyTimeout
        self.environment = environment
    }
}

/// Grades a lesson program against a parsed `checks.netlab`: each check gets fresh upstreams and a
/// fresh server process, its steps run in order, and a transcript records what happened.
///
/// ```swift
/// let script = try CheckScript.parse(source: text, file: "checks.netlab")
/// let runner = CheckRunner(script: script, lessonDirectory: lessonURL,
///                          program: ProgramLaunch(executable: binPath))
/// let results = await runner.run { result in print(result.name, result.status) }
/// ```
public struct CheckRunner: Sendable {
    public let script: CheckScript
    public let lessonDirectory: URL
    public let program: ProgramLaunch
    public let options: RunOptions
    let resources: RunResources

    public init(script: CheckScript, lessonDirectory: URL, program: ProgramLaunch, options: RunOptions = RunOptions()) {
        self.script = script
        self.lessonDirectory = lessonDirectory
        self.program = program
        self.options = options
        self.resources = RunResources(sniNames: script.checks.flatMap { sniNames(in: $0.steps) })
    }

    /// Runs the checks that `filter` accepts (all when nil), one after another, calling
    /// `onResult` as each one finishes. The results are in file order.
    public func run(
        filter: (@Sendable (Check) -> Bool)? = nil,
        onResult: @Sendable (CheckResult) -> Void = { _ in }
    ) async -> [CheckResult] {
        var results: [CheckResult] = []
        for (offset, check) in script.checks.enumerated() where filter?(check) ?? true {
            let result = await run(check: check, index: offset + 1)
            onResult(result)
            results.append(result)
        }
        resources.cleanUp()
        return results
    }

    /// Runs one check; `index` is its 1-based position in the script. Whatever the program wrote
    /// (log lines, stdout, bytes quoted in messages) leaves here with its control characters
    /// escaped (``UntrustedText``), so no output of netlab can carry them raw.
    public func run(check: Check, index: Int) async -> CheckResult {
        await CheckExecution.run(check: check, index: index, runner: self).escapingUntrustedText()
    }
}

/// Files shared by the checks of one run: the development CA and its localhost certificate,
/// made on first use in a temporary folder.
final class RunResources: Sendable {
    struct TLSFiles: Sendable {
        let directory: URL
        let ca: String
        let cert: String
        let key: String
        let serverConfig: TLSServerConfig
    }

    let sniNames: [String]
    private let tls = Mutex<Result<TLSFiles, LaunchError>?>(nil)

    init(sniNames: [String]) { self.sniNames = sniNames }

    deinit { cleanUp() }

    func tlsFiles() throws -> TLSFiles {
        try tls.withLock { cached in
            if let cached { return try cached.get() }
            let result: Result<TLSFiles, LaunchError>
            do {
                let directory = FileManager.default.temporaryDirectory
                    .appendingPathComponent("netlab-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let ca = try DevCA.create()
                let caPath = directory.appendingPathComponent("ca.pem").path
                try ca.write(certificateTo: caPath, keyTo: directory.appendingPathComponent("ca-key.pem").path)
                var names = ["localhost", "127.0.0.1", "::1"]
                for name in sniNames where !names.contains(name) { names.append(name) }
                let leaf = try ca.issue(names: names)
                let cert = directory.appendingPathComponent("cert.pem").path
                let key = directory.appendingPathComponent("key.pem").path
                try leaf.write(certificateTo: cert, keyTo: key)
                let config = try TLSServerConfig(certificate: leaf)
                result = .success(TLSFiles(directory: directory, ca: caPath, cert: cert, key: key, serverConfig: config))
            } catch {
                result = .failure(LaunchError(description: "cannot make the development CA: \(error)"))
            }
            cached = result
            return try result.get()
        }
    }

    func cleanUp() {
        tls.withLock { cached in
            if case .success(let files)? = cached { try? FileManager.default.removeItem(at: files.directory) }
            cached = nil
        }
    }
}

/// Every `sni NAME` of `tls-connect` steps, so the localhost certificate covers them.
package func sniNames(in steps: [Step]) -> [String] {
    var out: [String] = []
    for step in steps {
        switch step {
        case .connect(let c):
            if let name = c.tls?.serverName { out.append(name) }
        case .repeat(let loop), .parallel(let loop):
            out += sniNames(in: loop.body)
        default:
            break
        }
    }
    return out
}
