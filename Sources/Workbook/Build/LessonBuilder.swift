import CheckRuntime
import Foundation
import ProcessSupervision

/// Builds a lesson's program (`swift build --product lessonNN`, or `solutionNN`; with `-c release`
/// for `netlab bench`, ``Configuration``) and finds the binary (`swift build --show-bin-path`).
public struct LessonBuilder: Sendable {
    public struct Outcome: Sendable {
        /// The built program, when the build succeeded.
        public var binary: URL?
        /// Trimmed, ready-to-print explanation of a failure (nil on success).
        public var failure: String?
        /// The same without colour, for results files.
        public var plainFailure: String?
        /// The command that was run, for "to see everything, run …".
        public var command: String
        public var log: String
    }

    public var root: URL
    /// The `swift` to run (a name on PATH or a path).
    public var swift: String
    /// The bound of one build. The first build of the package compiles NetCore and NetTLS and may
    /// take minutes on a small machine.
    public var timeout: Duration

    /// SwiftPM's build configuration: `debug` for checks (fast to build), `release` for
    /// `netlab bench` (fast to run: what a benchmark should measure).
    public enum Configuration: String, Sendable {
        case debug, release
    }

    /// Which configuration ``build(product:learnerFile:style:progress:)`` builds.
    public var configuration: Configuration

    public init(
        root: URL, swift: String = ProcessInfo.processInfo.environment["NETLAB_SWIFT"] ?? "swift", timeout: Duration = .seconds(1200),
        configuration: Configuration = .debug
    ) {
        self.root = root
        self.swift = swift
        self.timeout = timeout
        self.configuration = configuration
    }

    /// The same builder, building `configuration`.
    public func with(_ configuration: Configuration) -> LessonBuilder {
        var copy = self
        copy.configuration = configuration
        return copy
    }

    /// `["-c", "release"]` for a release build; nothing for debug (SwiftPM's default).
    var configurationArguments: [String] { configuration == .release ? ["-c", "release"] : [] }

    /// Builds `product`; errors are trimmed to `learnerFile` (relative to the root).
    public func build(
        product: String, learnerFile: String, style: Style,
        progress: (@Sendable (String) -> Void)? = nil
    ) async -> Outcome {
        let command = (["swift", "build"] + configurationArguments + ["--product", product]).joined(separator: " ")
        let output: ProcessOutput
        do {
            output = try await ProcessRunner.run(
                swift, ["build"] + configurationArguments + ["--product", product], directory: root,
                timeout: timeout
            ) { data, _ in
                guard let progress else { return }
                for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("[") || line.hasPrefix("Build") {
                    progress(String(line))
                }
            }
        } catch {
            return Outcome(binary: nil, failure: "\(error)", plainFailure: "\(error)", command: command, log: "")
        }
        let log = output.stdoutText + output.stderrText
        if output.timedOut {
            let text = "the build took longer than \(timeout) and was stopped; run `\(command)` yourself to see why"
            return Outcome(binary: nil, failure: text, plainFailure: text, command: command, log: log)
        }
        guard output.status == 0 else {
            let diagnostics = CompilerDiagnostics(log: log)
            let text = diagnostics.renderTrimmed(
                learnerFile: learnerFile, rootPath: root.standardizedFileURL.path, fullLog: log,
                command: command, style: style)
            let plain =
                style.color
                ? diagnostics.renderTrimmed(
                    learnerFile: learnerFile, rootPath: root.standardizedFileURL.path,
                    fullLog: log, command: command, style: .plain) : text
            return Outcome(binary: nil, failure: text, plainFailure: plain, command: command, log: log)
        }
        guard let binPath = await builtBinPath() else {
            let text = "built, but `swift build --show-bin-path` did not say where"
            return Outcome(binary: nil, failure: text, plainFailure: text, command: command, log: log)
        }
        let binary = binPath.appendingPathComponent(product)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            let text = "built, but \(binary.path) is not there"
            return Outcome(binary: nil, failure: text, plainFailure: text, command: command, log: log)
        }
        return Outcome(binary: binary, failure: nil, plainFailure: nil, command: command, log: log)
    }

    /// Where the debug build put its programs: `.build/debug` (a link SwiftPM keeps to the
    /// platform's folder) when it is there, which saves a second SwiftPM run (about 200 ms, a
    /// fifth of a warm edit-to-verdict); `swift build --show-bin-path` otherwise.
    func builtBinPath() async -> URL? {
        let link = root.appendingPathComponent(".build/\(configuration.rawValue)")
        if swift == "swift", FileManager.default.fileExists(atPath: link.path) { return link }
        return await binPath()
    }

    /// `swift build --show-bin-path` (with `-c release` for a release builder).
    public func binPath() async -> URL? {
        guard
            let out = try? await ProcessRunner.run(
                swift, ["build", "--show-bin-path"] + configurationArguments, directory: root,
                timeout: .seconds(120)),
            out.status == 0
        else { return nil }
        let path = out.stdoutText.split(separator: "\n").last.map { String($0).trimmingSpaces() } ?? ""
        return path.isEmpty ? nil : URL(fileURLWithPath: path)
    }
}
