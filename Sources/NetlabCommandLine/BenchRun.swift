import Bench
import CheckRuntime
import Foundation
import Workbook

extension NetlabCLI {
    func bench(_ c: BenchCommand, _ w: OpenedWorkbook) async throws -> Int32 {
        guard !c.lessons.isEmpty else {
            let list = Workloads.lessons.map(String.init).joined(separator: ", ")
            throw UsageError(
                "which lesson? `netlab bench N` (lessons \(list) have a workload), or `netlab bench --compare`", command: BenchCommand.name)
        }
        try validateOutputPaths(["json": c.json], command: BenchCommand.name)
        let lessons = try c.lessons.map { try findLesson($0, w, command: BenchCommand.name) }
        guard let workload = Workloads.forLesson(lessons[0].number) else {
            throw CLIError(message: Workloads.missingMessage(lesson: lessons[0].number), code: ExitCode.failure)
        }
        if c.compare, let other = lessons.first(where: { Workloads.forLesson($0.number)?.name != workload.name }) {
            let why = Workloads.forLesson(other.number).map { "a \($0.name) workload" } ?? "no workload"
            throw CLIError(
                message:
                    "--compare needs lessons with the same workload: lesson \(lessons[0].number) has the \(workload.name) workload, lesson \(other.number) \(why)",
                code: ExitCode.failure)
        }
        installInterruptHandler()
        let builder = makeBuilder(w.root).with(.release)
        console.out(style.dim("Building in release mode (not part of the bench's time bound)…"))
        let netload = try await benchNetload(builder)
        var contenders: [Contender] = []
        if c.compare {
            for lesson in lessons {
                let name = "\(lesson.number) \(Self.flavour(lesson.number))"
                contenders.append(await benchBuild(lesson, solution: c.solutions, role: c.solutions ? .reference : .learner, name: name, builder, w))
            }
        } else {
            contenders.append(await benchBuild(lessons[0], solution: true, role: .reference, name: "reference", builder, w))
            if let cmd = c.cmd {
                contenders.append(Contender(role: .command, name: cmd.text, launch: programSpec(cmd).launch))
            } else {
                contenders.append(await benchBuild(lessons[0], solution: false, role: .learner, name: "yours", builder, w))
            }
        }
        var certificate: (cert: String, key: String)?
        if workload.needsCertificate {
            let paths = try ensureCertificates(w).0
            certificate = (paths.cert.path, paths.key.path)
        }
        let scenarios = workload.scenarios(connections: c.compare ? (c.conns ?? [100]) : c.conns)
        let warmup = 0.5
        let duration =
            c.duration
            ?? BenchSettings.defaultDuration(rounds: c.rounds, programs: contenders.count, scenarios: scenarios, warmup: warmup)
        let estimate = BenchSettings.estimate(
            rounds: c.rounds, programs: contenders.count, scenarios: scenarios, duration: duration, warmup: warmup)
        let chosen = c.duration != nil || c.rounds != 3 || c.conns != nil
        let bound: Duration = chosen ? .seconds(max(60, estimate * 1.5 + 30)) : BenchSettings.defaultBound
        let settings = BenchSettings(
            rounds: c.rounds, duration: duration, warmup: warmup, connections: c.compare ? (c.conns ?? [100]) : c.conns,
            bound: bound, netload: netload, certificate: certificate)
        let subject = c.compare ? "lessons " + lessons.map { String($0.number) }.joined(separator: " ") : "lesson \(lessons[0].number)"
        console.out(
            "Measuring \(subject) for about \(Int(estimate.rounded(.up))) s (at most \(bound.components.seconds) s): \(contenders.map(\.name).joined(separator: ", ")); Ctrl-C stops it."
        )
        let runner = BenchRunner(workload: workload, contenders: contenders, settings: settings, subject: subject)
        let console = self.console
        var progress: (@Sendable (BenchRunner.Progress) -> Void)? = nil
        if console.stdoutIsTTY {
            progress = { p in
                let line = ProgressBar.line(done: p.done, total: p.total, label: p.label)
                console.raw("\r\u{1B}[K" + String(line.prefix(100)))
            }
        }
        let report = await runner.run(progress: progress)
        if console.stdoutIsTTY { console.raw("\r\u{1B}[K") }
        console.out()
        if c.compare {
            console.out(CompareTable.render(report, style: style))
            console.out()
        }
        console.out(BenchTable.render(report, style: style))
        let histogram = HistogramRenderer.section(report, style: style)
        if !histogram.isEmpty {
            console.out()
            console.out(histogram)
        }
        if let json = c.json {
            let data = try BenchJSON.encode(report)
            do {
                try data.write(to: resolve(json))
            } catch {
                throw CLIError(message: "cannot write --json \(json): \(error.localizedDescription)", code: ExitCode.failure)
            }
            console.out(style.dim("Every number is in \(json)."))
        }
        let measured = report.outcomes.contains { $0.contains { !$0.samples.isEmpty } }
        return measured ? ExitCode.success : ExitCode.failure
    }

    /// The short name of a flavour in `--compare`'s table.
    static func flavour(_ lesson: Int) -> String {
        switch lesson {
        case 8: "NetCore tasks"
        case 9: "blocking threads"
        case 10: "busy-wait"
        case 11: "event loop"
        default: "lesson \(lesson)"
        }
    }

    /// The netload binary: `NETLAB_NETLOAD` when set (tests), else built in release mode.
    func benchNetload(_ builder: LessonBuilder) async throws -> String {
        if let path = environment["NETLAB_NETLOAD"], !path.isEmpty { return path }
        console.out(style.dim("Building netload (Sources/netload)…"))
        let outcome = await builder.build(product: "netload", learnerFile: "Sources/netload/main.c", style: style)
        guard let binary = outcome.binary else {
            throw CLIError(message: "the load generator does not build (`\(outcome.command)`): \(outcome.plainFailure ?? "")", code: ExitCode.failure)
        }
        return binary.path
    }

    /// A lesson's program (or its solution) built in release mode; a contender that says why
    /// when it does not build.
    func benchBuild(
        _ lesson: Lesson, solution: Bool, role: Contender.Role, name: String, _ builder: LessonBuilder, _ w: OpenedWorkbook
    ) async -> Contender {
        if solution, lesson.solutionDirectory == nil {
            return Contender(role: role, name: name, launch: nil, unavailable: "lesson \(lesson.number) has no reference solution")
        }
        let product = solution ? lesson.solutionProductName : lesson.productName
        let file = relative(solution ? lesson.solutionFile! : lesson.mainFile, w)
        console.out(style.dim("Building \(product) (\(file))…"))
        var progress: (@Sendable (String) -> Void)? = nil
        let console = self.console
        if console.stdoutIsTTY { progress = { line in console.raw("\r\u{1B}[K" + String(line.prefix(76))) } }
        let outcome = await builder.build(product: product, learnerFile: file, style: style, progress: progress)
        if console.stdoutIsTTY { console.raw("\r\u{1B}[K") }
        guard let binary = outcome.binary else {
            return Contender(
                role: role, name: name, launch: nil,
                unavailable: "\(file) does not build (`\(commandName) check \(lesson.number)\(solution ? " --solution" : "")` shows why)")
        }
        return Contender(role: role, name: name, launch: ProgramLaunch(executable: binary.path))
    }
}
