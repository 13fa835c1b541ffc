import CheckLanguage
import CheckResults

/// `scrape NAME "PATH" …` and `expect NAME …` on what it read.
extension CheckExecution {
    func scrape(_ s: Scrape, vars: [String: Int]) async throws {
        let bound = s.within ?? stepTimeout
        let deadline = ContinuousClock.now + bound
        let address: String
        let programs: Bool
        if let from = s.from {
            address = try from.render { try placeholderValue($0, vars: vars, at: s.location) }
            programs = from.placeholders.contains(.metrics)
        } else {
            address = try placeholderValue(.metrics, vars: vars, at: s.location)
            programs = true
        }
        let url = "http://\(address)\(s.path)"
        if programs, !metricsOwned.withLock({ $0 }) {
            guard let process else { throw StepFailure(message: notReady, details: lastLogLines(), location: s.location) }
            if let problem = await MetricsPort.problem(with: process, address: address) {
                throw StepFailure(message: "scrape \(s.name): \(problem)", details: lastLogLines(), location: s.location)
            }
            metricsOwned.withLock { $0 = true }
        }
        let response: HTTPGet.Response
        do {
            response = try await HTTPGet.run(address: address, path: s.path, deadline: deadline)
        } catch {
            throw StepFailure(message: "scrape \(s.name): GET \(url): \(error.message)", location: s.location)
        }
        guard response.head.status == 200 else {
            throw StepFailure(
                message: "scrape \(s.name): GET \(url) answered \(response.head.statusLine); expected 200 OK", location: s.location)
        }
        let type = response.head.value("Content-Type") ?? ""
        guard type.lowercased().hasPrefix("text/plain") else {
            throw StepFailure(
                message: "scrape \(s.name): the response's Content-Type is \(type.isEmpty ? "missing" : Bytes.quoted(Array(type.utf8), limit: 60)); "
                    + "expected text/plain; version=0.0.4 (Prometheus's text format)",
                location: s.location)
        }
        let exposition = Exposition.parse(response.body)
        scrapes.withLock { $0[s.name] = (s, vars, exposition) }
        let problems = exposition.problems.isEmpty ? "" : "; \(exposition.problemCount) problem(s) with the format"
        transcript.add(
            "netlab",
            "scrape \(s.name): GET \(url): 200, \(Bytes.size(response.body.count)), \(exposition.samples.count) samples in \(exposition.families.count) families\(problems)"
        )
    }

    func expectScrape(_ e: ScrapeExpectation) async throws {
        guard case .value(_, _, _, let within?) = e.condition else {
            try expectScrapeNow(e)
            return
        }
        // Until it holds: scrape again (the same way) every 50 ms, until `within` has passed.
        let deadline = ContinuousClock.now + within
        while true {
            do {
                try expectScrapeNow(e)
                return
            } catch let failure as StepFailure {
                guard ContinuousClock.now < deadline, let last = scrapes.withLock({ $0[e.scrape] }) else {
                    throw StepFailure(
                        message: failure.message + " (within \(within.scriptText))", details: failure.details, location: failure.location)
                }
                try await Task.sleep(for: .milliseconds(50))
                var again = last.step
                again.within = max(deadline - ContinuousClock.now, .milliseconds(100))
                do {
                    try await scrape(again, vars: last.vars)
                } catch let scrapeFailure as StepFailure {
                    // The value's failure is the news; the scrape that could not confirm it, a detail.
                    throw StepFailure(
                        message: failure.message + " (within \(within.scriptText))",
                        details: failure.details + ["scraping again failed: \(scrapeFailure.message)"], location: failure.location)
                }
            }
        }
    }

    func expectScrapeNow(_ e: ScrapeExpectation) throws {
        guard let exposition = scrapes.withLock({ $0[e.scrape]?.exposition }) else {
            throw StepFailure(message: "scrape \(e.scrape) has not read anything yet", location: e.location)
        }
        let label = "scrape \(e.scrape)"
        switch e.condition {
        case .valid:
            guard exposition.problems.isEmpty else {
                let shown = exposition.problems.prefix(10).map(\.description)
                let more = exposition.problemCount > 10 ? ["… and \(exposition.problemCount - 10) more"] : []
                throw StepFailure(
                    message: "\(label) breaks the Prometheus text format: \(exposition.problems[0])",
                    details: shown.dropFirst() + more, location: e.location)
            }
            transcript.add("netlab", "\(label) keeps every rule of the text format")
        case .value(let series, let op, let expected, _):
            let sample = try find(series, in: exposition, label: label, at: e.location)
            let holds: Bool
            switch op {
            case .less: holds = sample.value < expected
            case .lessOrEqual: holds = sample.value <= expected
            case .equal: holds = sample.value == expected
            case .notEqual: holds = sample.value != expected
            case .greaterOrEqual: holds = sample.value >= expected
            case .greater: holds = sample.value > expected
            }
            let found = "\(series) is \(Exposition.text(sample.value)) in \(label) (line \(sample.line))"
            guard holds else {
                throw StepFailure(message: "\(found); expected \(op.rawValue) \(Exposition.text(expected))", location: e.location)
            }
            transcript.add("netlab", found)
        case .absent(let series):
            if let sample = exposition.samples.first(where: { matches($0, series) }) {
                throw StepFailure(
                    message: "\(label) has \(series) = \(Exposition.text(sample.value)) at line \(sample.line); expected no such sample",
                    location: e.location)
            }
            transcript.add("netlab", "\(label) has no \(series)")
        case .type(let family, let kind):
            guard let f = exposition.families[family], let type = f.type else {
                throw StepFailure(message: "\(label) has no `# TYPE \(family) …` line; expected `# TYPE \(family) \(kind)`", location: e.location)
            }
            guard type == kind else {
                throw StepFailure(
                    message: "\(label) says `# TYPE \(family) \(type)` (line \(f.typeLine ?? 0)); expected \(kind)", location: e.location)
            }
            transcript.add("netlab", "\(label): \(family) is a \(kind)")
        }
    }

    func matches(_ sample: Exposition.Sample, _ series: MetricSeries) -> Bool {
        sample.name == series.name && sample.labels.count == series.labels.count
            && series.labels.allSatisfy { wanted in sample.label(wanted.name) == wanted.value }
    }

    /// The sample of `series`, or a failure that shows what the scrape has instead.
    func find(_ series: MetricSeries, in exposition: Exposition, label: String, at location: SourceLocation) throws -> Exposition.Sample {
        if let sample = exposition.samples.first(where: { matches($0, series) }) { return sample }
        let sameName = exposition.samples.filter { $0.name == series.name }
        var details = sameName.prefix(8).map { "line \($0.line): \(UntrustedText.escaped($0.series)) \(Exposition.text($0.value))" }
        if sameName.isEmpty, !exposition.problems.isEmpty {
            details.append("(\(exposition.problemCount) problem(s) with the format; the first: \(exposition.problems[0]))")
        }
        let shown = "`\(series)`"
        throw StepFailure(
            message: sameName.isEmpty
                ? "\(label) has no sample named \(series.name); expected \(shown)"
                : "\(label) has no sample \(shown); the samples named \(series.name) are:",
            details: details, location: location)
    }
}
