import Foundation
import Testing

/// Lesson 15's files have one home each: the chat's files that lesson 15 did not change
/// (Protocol.swift, Upgrade.swift) are links to lesson 13's, Chat.swift (lesson 13's solution
/// without its entry point) is lesson 14's Frames.swift, whose drift from lesson 13's solution
/// MetricsInteropTests watches, and the solution's and the mistakes' given files are links to
/// lesson 15's.
@Suite("Lesson 15's given files")
struct GracefulShutdownFilesTests {
    @Test(
        "each given file links to its one home",
        arguments: [
            ("lessons/15-graceful-shutdown/Protocol.swift", "lessons/13-websocket-chat/Protocol.swift"),
            ("lessons/15-graceful-shutdown/Upgrade.swift", "lessons/13-websocket-chat/Upgrade.swift"),
            ("lessons/15-graceful-shutdown/Chat.swift", "lessons/14-metrics/Frames.swift"),
            ("solutions/15-graceful-shutdown/Protocol.swift", "lessons/13-websocket-chat/Protocol.swift"),
            ("solutions/15-graceful-shutdown/Upgrade.swift", "lessons/13-websocket-chat/Upgrade.swift"),
            ("solutions/15-graceful-shutdown/Chat.swift", "lessons/14-metrics/Frames.swift"),
            ("solutions/15-graceful-shutdown/Client.swift", "lessons/15-graceful-shutdown/Client.swift"),
            ("solutions/15-graceful-shutdown/Connection.swift", "lessons/15-graceful-shutdown/Connection.swift"),
            ("solutions/15-graceful-shutdown/Hub.swift", "lessons/15-graceful-shutdown/Hub.swift"),
            ("Tests/Mistakes/15-graceful-shutdown/Protocol.swift", "lessons/13-websocket-chat/Protocol.swift"),
            ("Tests/Mistakes/15-graceful-shutdown/Upgrade.swift", "lessons/13-websocket-chat/Upgrade.swift"),
            ("Tests/Mistakes/15-graceful-shutdown/Chat.swift", "lessons/14-metrics/Frames.swift"),
            ("Tests/Mistakes/15-graceful-shutdown/Client.swift", "lessons/15-graceful-shutdown/Client.swift"),
            ("Tests/Mistakes/15-graceful-shutdown/Connection.swift", "lessons/15-graceful-shutdown/Connection.swift"),
            ("Tests/Mistakes/15-graceful-shutdown/Hub.swift", "lessons/15-graceful-shutdown/Hub.swift"),
        ])
    func linked(_ link: (String, String)) throws {
        let file = packageRoot.appendingPathComponent(link.0)
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: file.path)
        #expect(!target.hasPrefix("/"), "\(link.0) links by a relative path, not \(target)")
        #expect(
            file.deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL.path
                == packageRoot.appendingPathComponent(link.1).standardizedFileURL.path, "\(link.0) links to \(target)")
    }
}
