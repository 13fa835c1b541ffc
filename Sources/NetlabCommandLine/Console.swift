import Foundation
#if canImport(Glibc)
import Glibc
import Workbook
#endif

/// Where the CLI writes, and what it knows about the terminal. The real one writes to the
/// process's stdout and stderr; tests capture.
public final class Console: @unchecked Sendable {
    public let style: Style
    public let stdinIsTTY: Bool
    public let stdoutIsTTY: Bool
    private let lock = NSLock()
    private let writeOut: @Sendable (String) -> Void
    private let writeErr: @Sendable (String) -> Void
    private var capturedOut = ""
    private var capturedErr = ""
    private let capturing: Bool
    private var closed = false

    public init(
        style: Style, stdinIsTTY: Bool, stdoutIsTTY: Bool,
        writeOut: @escaping @Sendable (String) -> Void, writeErr: @escaping @Sendable (String) -> Void
    ) {
        self.style = style
        self.stdinIsTTY = stdinIsTTY
        self.stdoutIsTTY = stdoutIsTTY
        self.writeOut = writeOut
        self.writeErr = writeErr
        capturing = false
    }

    private init(capturingWith style: Style) {
        self.style = style
        stdinIsTTY = false
        stdoutIsTTY = false
        writeOut = { _ in }
        writeErr = { _ in }
        capturing = true
    }

    /// The process's own stdout and stderr; colour per ``Style/detect(environment:)``.
    public static func standard(environment: [String: String]) -> Console {
        Console(
            style: .detect(environment: environment), stdinIsTTY: isatty(0) == 1, stdoutIsTTY: isatty(1) == 1,
            writeOut: { s in FileHandle.standardOutput.write(Data(s.utf8)) },
            writeErr: { s in FileHandle.standardError.write(Data(s.utf8)) })
    }

    /// A console that keeps everything written (for tests): read ``output`` and ``errors``.
    public static func capture(style: Style = .plain) -> Console { Console(capturingWith: style) }

    /// A line (or lines) on stdout.
    public func out(_ s: String = "") { write(s.hasSuffix("\n") ? s : s + "\n", err: false) }
    /// A line on stderr.
    public func err(_ s: String) { write(s.hasSuffix("\n") ? s : s + "\n", err: true) }
    /// Text on stdout without adding a newline.
    public func raw(_ s: String) { write(s, err: false) }

    /// Writes `last` on stderr and nothing after it: once Ctrl-C is handled, what the
    /// interrupted work still prints (a build that failed because it was stopped) is noise.
    public func finish(with last: String) {
        write(last.hasSuffix("\n") ? last : last + "\n", err: true)
        lock.lock(); defer { lock.unlock() }
        closed = true
    }

    private func write(_ s: String, err: Bool) {
        lock.lock(); defer { lock.unlock() }
        if closed { return }
        if capturing {
            if err { capturedErr += s } else { capturedOut += s }
        } else {
            (err ? writeErr : writeOut)(s)
        }
    }

    public var output: String { lock.lock(); defer { lock.unlock() }; return capturedOut }
    public var errors: String { lock.lock(); defer { lock.unlock() }; return capturedErr }
}

/// netlab's exit statuses.
public enum ExitCode {
    /// Everything asked for succeeded (every check passed).
    public static let success: Int32 = 0
    /// A check failed, a build failed, or the command could not do its job.
    public static let failure: Int32 = 1
    /// The command line was wrong (unknown command or option, bad lesson number).
    public static let usage: Int32 = 2
    /// netlab cannot work here: not inside a workbook, the check runner is not built in, a tool
    /// is missing.
    public static let environment: Int32 = 3
}
