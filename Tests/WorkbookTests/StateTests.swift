import Foundation
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
        // A later failure keeps "passed" (the lesson was done once) but records the last check.
        var later = again
        later.record(sampleResult(failing: true), at: date.addingTimeInterval(120))
        #expect(later.status(of: "01-echo") == .passed)
        #expect(later["01-echo"].passedAt == date.addingTimeInterval(60))
        #expect(later["01-echo"].lastCheck?.passed == false)
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

    @Test func brokenFileStartsFreshAndIsKept() throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try wb.write(".netlab/state.json", "{ not json")
        let store = StateStore(root: wb.root)
        #expect(store.load() == WorkbookState())
        #expect(wb.read(".netlab/state.json.broken") == "{ not json")
    }
}
