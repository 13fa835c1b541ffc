import CheckResults
import Foundation
import NetTLS
import ProcessSupervision
import Synchronization
import Workbook

/// What the class board has accepted: every signed results file, byte for byte, in the order it
/// came, kept in memory and appended to a state file, so a restart loses nothing and the
/// instructor can hand the file to `netlab report` afterwards.
///
/// The state file is JSON Lines: one line per accepted file,
/// `{"netlab_board":1,"received_at":"2026-12-07T10:00:00Z","results":"…the file's exact text…"}`.
/// Keeping the exact text keeps its signature: `report --key` verifies each one again.
public final class BoardState: Sendable {
    /// One accepted results file.
    public struct Entry: Sendable, Equatable {
        public var receivedAt: String
        public var data: Data
    }

    /// The most files a board keeps (a workshop of thirty posts hundreds).
    public static let entryLimit = 100_000
    /// The most bytes of one state file line (a results file is at most 1 MiB, escaped).
    static let lineLimit = 8 << 20

    private let entries = Mutex<[Entry]>([])
    private let digests = Mutex<Set<[UInt8]>>([])
    /// The state file, when there is one.
    public let file: URL?
    public let key: ClassKey

    /// A board with the entries of `file` (created when missing). Lines that cannot be read, or
    /// whose signature no longer verifies with `key`, are skipped and said in `problems`.
    public init(file: URL?, key: ClassKey) throws {
        self.file = file
        self.key = key
        guard let file else {
            problems = []
            return
        }
        if !FileManager.default.fileExists(atPath: file.path) {
            guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw BoardError("cannot create the state file \(file.path)")
            }
        }
        let (loaded, problems) = try Self.read(file, key: key)
        self.problems = problems
        entries.withLock { $0 = loaded }
        digests.withLock { set in for entry in loaded { set.insert(sha256(Array(entry.data))) } }
    }

    /// What could not be loaded from the state file, in words.
    public let problems: [String]

    /// Every accepted file, oldest first.
    public var all: [Entry] { entries.withLock { $0 } }

    /// Adds a file that has been verified: false when the board has it already (a replay).
    /// Appends it to the state file first (off the cooperative pool), so that what the board
    /// shows is always in the file.
    public func add(_ data: Data, at date: Date) async throws -> Bool {
        let digest = sha256(Array(data))
        let fresh = digests.withLock { $0.insert(digest).inserted }
        guard fresh else { return false }
        guard entries.withLock({ $0.count }) < Self.entryLimit else {
            _ = digests.withLock { $0.remove(digest) }
            throw BoardError("the board holds \(Self.entryLimit) results already")
        }
        let entry = Entry(receivedAt: ResultsJSON.iso8601(date), data: data)
        if let file {
            let line = try Self.line(entry)
            do {
                try await offPool { try Self.append(line, to: file) }
            } catch {
                _ = digests.withLock { $0.remove(digest) }
                throw error
            }
        }
        entries.withLock { $0.append(entry) }
        return true
    }

    /// The class report of everything accepted.
    public func report() -> ClassReport {
        ClassReport(files: all.enumerated().map { ("board#\($0.offset + 1)", $0.element.data) }, key: key)
    }

    static func line(_ entry: Entry) throws -> Data {
        struct Line: Encodable {
            var netlab_board = 1
            var received_at: String
            var results: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(Line(received_at: entry.receivedAt, results: String(decoding: entry.data, as: UTF8.self)))
        data.append(UInt8(ascii: "\n"))
        return data
    }

    static func append(_ line: Data, to file: URL) throws {
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        // One write, no fsync: what the board has taken survives the board's own end (a crash, a
        // Ctrl-C, a restart); a power cut may lose the last lines, which the students can post
        // again (a replay is recognised).
        try handle.write(contentsOf: line)
    }

    /// Whether `data` starts like a board state file (its first line is a board entry).
    public static func isStateFile(_ data: Data) -> Bool {
        data.starts(with: Array("{\"netlab_board\":1,".utf8))
    }

    /// The results files a state file holds, named `FILE#N`, for `report`; lines that are not
    /// board entries are problems.
    public static func files(inStateFile data: Data, named name: String) -> (files: [(name: String, data: Data)], problems: [String]) {
        var files: [(name: String, data: Data)] = []
        var problems: [String] = []
        for (i, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            struct Line: Decodable { var netlab_board: Int; var results: String }
            guard line.count <= lineLimit, let entry = try? JSONDecoder().decode(Line.self, from: Data(line)), entry.netlab_board == 1 else {
                problems.append("\(UntrustedText.escaped(name)) line \(i + 1): not a class board entry")
                continue
            }
            files.append(("\(name)#\(i + 1)", Data(entry.results.utf8)))
        }
        return (files, problems)
    }

    static func read(_ file: URL, key: ClassKey) throws -> (entries: [Entry], problems: [String]) {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw BoardError("cannot read the state file \(file.path)")
        }
        var entries: [Entry] = []
        var problems: [String] = []
        for (i, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            struct Line: Decodable { var netlab_board: Int; var received_at: String; var results: String }
            guard line.count <= lineLimit, let decoded = try? JSONDecoder().decode(Line.self, from: Data(line)), decoded.netlab_board == 1
            else {
                problems.append("line \(i + 1): not a class board entry, skipped")
                continue
            }
            let results = Data(decoded.results.utf8)
            guard ResultsSignature.verify(results, key: key).verdict == .verified else {
                problems.append("line \(i + 1): its signature does not verify with this class key, skipped")
                continue
            }
            entries.append(Entry(receivedAt: String(decoded.received_at.prefix(40)), data: results))
        }
        return (entries, problems)
    }
}

/// Something the board cannot do, in words.
public struct BoardError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(_ message: String) { self.message = message }
}
