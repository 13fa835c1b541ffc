import CheckResults

/// Where the class is stuck: for each lesson, how many students fail each check in their latest
/// attempt, and which check is most often the *first* one they fail — usually the one to explain
/// next, since the checks after it often fail because of it.
public struct ClassStuck: Sendable, Equatable {
    public struct CheckCount: Sendable, Equatable {
        /// The check's name, escaped.
        public var name: String
        /// Students whose latest attempt fails (or errors) it.
        public var failing: Int
        /// Students for whom it is the first check that does not pass.
        public var first: Int
    }

    public struct Lesson: Sendable, Equatable {
        public var lesson: ResultsJSON.LessonInfo
        /// Students with a result for the lesson, and those whose latest attempt passed.
        public var took: Int
        public var passed: Int
        /// Students whose latest attempt could not be graded (it did not build, say).
        public var errored: Int
        /// Checks that some student fails, most often-first first, then most failed, then in
        /// the order they came.
        public var checks: [CheckCount]
        /// The check most often failed first, when one is.
        public var mostOftenFirst: CheckCount? { checks.first { $0.first > 0 } }
    }

    /// The lessons that some student has not passed, in lesson order.
    public var lessons: [Lesson]

    /// Counted from the rows' latest attempts; a row with a bad signature is not counted.
    public init(_ report: ClassReport) {
        lessons = report.lessons.compactMap { info in
            let cells = report.rows.filter(\.counted).compactMap { $0.cells[info.slug] }
            let passed = cells.filter { $0.status == "pass" }.count
            guard passed < cells.count else { return nil }
            var order: [String] = []
            var counts: [String: CheckCount] = [:]
            for cell in cells where cell.status != "pass" {
                var seenFirst = false
                var seen: Set<String> = []
                for check in cell.checks where check.status != "pass" && seen.insert(check.name).inserted {
                    if counts[check.name] == nil {
                        order.append(check.name)
                        counts[check.name] = CheckCount(name: check.name, failing: 0, first: 0)
                    }
                    counts[check.name]!.failing += 1
                    if !seenFirst {
                        counts[check.name]!.first += 1
                        seenFirst = true
                    }
                }
            }
            let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
            let checks = order.compactMap { counts[$0] }.sorted {
                ($1.first, $1.failing, position[$0.name] ?? 0) < ($0.first, $0.failing, position[$1.name] ?? 0)
            }
            return Lesson(
                lesson: info, took: cells.count, passed: passed, errored: cells.filter { $0.status == "error" }.count, checks: checks)
        }
    }
}
