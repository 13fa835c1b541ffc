// Lesson 14's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation
import LessonKit
import NetCore

guard Mistake.current != nil else {
    FileHandle.standardError.write(
        Data("set NETLAB_MISTAKE to gauge-never-decrements, non-cumulative-buckets, unescaped-labels or sent-per-broadcast\n".utf8))
    exit(2)
}

LessonProgram.run(flags: Settings.flags) { options, log in
    let settings = Settings(options)
    let metrics = Metrics(serverName: settings.name)
    let hub = Hub(log: log, metrics: metrics)
    // Both listeners are open before the ready line: a scrape right after it finds its port.
    let metricsListener = try TCPListener.listen(address: settings.metricsListen)
    log.event("metrics on \(metricsListener.address)")
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask {
            try await serve(metricsListener) { conn in await serveMetrics(conn, metrics: metrics, log: log) }
        }
        try await serve(listener) { conn in
            await handle(conn, hub: hub, settings: settings, metrics: metrics, log: log)
        }
    }
}
