@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

@Suite("State")
struct StateTests {
    @Test func persistsAcrossLoads() throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let store = StateStore(root: wb.root)
        #expect(store.load() == WorkbookState())
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        try store.update { state in
            state.record(sampleResult(failing: true), at: date)
            state["01-echo"].hintsShown = 2
        }
        var loaded = store.load()
        #expect(loaded.status(of: "01-echo") == .failing)
        #expect(loaded["01-echo"].hintsShown == 2)
        #expect(loaded["01-echo"].lastCheck?.points == 1)
        #expect(loaded["01-echo"].lastCheck?.checks.map(\.status) == [.pass, .fail])
        #expect(loaded.status(of: "02-timeouts") == .notStarted)
        loaded.record(sampleResult(failing: false), at: date.addingTimeInterval(60))
        try store.save(loaded)
        let again = store.load()
        #expect(again.status(of: "01-echo") == .passed)
        #expect(again["01-echo"].passedAt == date.addingTimeInterval(60))
        // A later failure says so: passed earlier (when), failing now (since when).
        var later = again
        later.record(sampleResult(failing: true), at: date.addingTimeInterval(120))
        #expect(later.status(of: "01-echo") == .passedEarlier(passed: date.addingTimeInterval(60), failing: date.addingTimeInterval(120)))
        #expect(later.hasPassed("01-echo"))
        #expect(later["01-echo"].passedAt == date.addingTimeInterval(60))
        #expect(later["01-echo"].lastCheck?.passed == false)
        // Passing again makes it passed, with the new date as the last pass.
        later.record(sampleResult(failing: false), at: date.addingTimeInterval(180))
        #expect(later.status(of: "01-echo") == .passed)
        #expect(later["01-echo"].passedAt == date.addingTimeInterval(60))
        #expect(later["01-echo"].lastPassedAt == date.addingTimeInterval(180))
        // The file is JSON with ISO 8601 dates.
        let text = try #require(wb.read(".netlab/state.json"))
        #expect(text.contains("\"passedAt\" : \"2027-01-15T08:01:00Z\""))
    }

    @Test func solutionAndCommandRunsNeverMarkPassed() {
        var state = WorkbookState()
        state.record(sampleResult(failing: false), at: Date(), other: true)
        #expect(state.status(of: "01-echo") == .notStarted)
        #expect(state["01-echo"].lastCheck?.other == true)
    }

    @Test func solutionRunsDoNotHideTheLearnersFailure() {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        var state = WorkbookState()
        state.record(sampleResult(failing: false), at: date)
        state.record(sampleResult(failing: true), at: date.addingTimeInterval(60))
        // The reference solution passes afterwards: the learner's file still fails.
        state.record(sampleResult(failing: false), at: date.addingTimeInterval(120), other: true)
        #expect(state.status(of: "01-echo") == .passedEarlier(passed: date, failing: date.addingTimeInterval(60)))
        #expect(state["01-echo"].lastOwnCheck?.at == date.addingTimeInterval(60))
        #expect(state["01-echo"].lastCheck?.other == true)
    }

    @Test func filesWrittenBeforeLastOwnCheckStillRead() throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        // The shape netlab wrote before: passedAt and lastCheck only.
        func file(passedAt: String, checkAt: String, passed: Bool) -> String {
            """
            {"lessons": {"01-echo": {"hintsShown": 1, "passedAt": "\(passedAt)", "lastCheck": {"at": "\(checkAt)",
            "passed": \(passed), "points": 1, "maxPoints": 3, "checks": []}}}, "version": 1}
            """
        }
        let store = StateStore(root: wb.root)
        try wb.write(".netlab/state.json", file(passedAt: "2027-01-15T08:00:00Z", checkAt: "2027-01-16T08:00:00Z", passed: false))
        let failingNow = store.load()
        #expect(failingNow["01-echo"].hintsShown == 1)
        let iso = ISO8601DateFormatter()
        let passed = try #require(iso.date(from: "2027-01-15T08:00:00Z"))
        let failing = try #require(iso.date(from: "2027-01-16T08:00:00Z"))
        #expect(failingNow.status(of: "01-echo") == .passedEarlier(passed: passed, failing: failing))
        try wb.write(".netlab/state.json", file(passedAt: "2027-01-15T08:00:00Z", checkAt: "2027-01-15T08:00:00Z", passed: true))
        #expect(store.load().status(of: "01-echo") == .passed)
    }

    @Test func brokenFileStartsFreshAndIsKept() throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try wb.write(".netlab/state.json", "{ not json")
        let store = StateStore(root: wb.root)
        #expect(store.load() == WorkbookState())
        #expect(wb.read(".netlab/state.json.broken") == "{ not json")
    }
}
