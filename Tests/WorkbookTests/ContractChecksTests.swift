@testable import CheckLanguage
import Testing
@testable import Workbook

/// The contract's checks are made from the parsed lesson script: its header (upstreams, the
/// `start` line) and three checks, whatever the header's layout.
@Suite("Contract checks")
struct ContractChecksTests {
    @Test("built from the parsed header: the lesson's own start line, each bad flag alone")
    func fromTheParsedScript() throws {
        let lesson = try CheckScript.parse(
            source: """
                # a comment that mentions start and check
                upstream echo as up
                timeout 2s
                start --listen {listen} --upstream {up.addr}

                check "proxies" points 2
                  connect a
                """, file: "checks.netlab")
        let text = try #require(ContractChecks.script(for: lesson))
        let contract = try CheckScript.parse(source: text, file: "contract")
        #expect(
            contract.checks.map(\.name) == [
                "contract: refuses a flag it does not know", "contract: refuses a flag given twice",
                "contract: --help prints the usage on stdout and exits 0",
            ])
        #expect(contract.upstreams.map(\.name) == ["up"])
        #expect(contract.defaultTimeout == .seconds(2))
        #expect(text.contains("  start --listen {listen} --upstream {up.addr} --netlab-no-such-flag 1\n"))
        #expect(text.contains("  start --listen {listen} --upstream {up.addr} --listen 127.0.0.1:0\n"))
        #expect(!text.contains("proxies"))
    }

    @Test("without a start line in the header: the first check's upstreams and start line")
    func fromTheFirstCheckThatStarts() throws {
        let lesson = try CheckScript.parse(
            source: """
                timeout 3s

                check "forwards" points 2
                  hint "an upstream mentioned in a hint"
                  upstream sink as up down for 1s
                  start --listen {listen} --upstream {up.addr}
                  connect a
                check "another"
                  upstream echo as other
                  start --listen {listen} --upstream {other.addr}
                """, file: "checks.netlab")
        let text = try #require(ContractChecks.script(for: lesson))
        let contract = try CheckScript.parse(source: text, file: "contract")
        #expect(contract.checks.count == 3)
        #expect(contract.checks[0].upstreams.map(\.name) == ["up"])
        #expect(contract.checks[0].start?.arguments.map(\.description).last == "1")
        #expect(text.contains("  upstream sink as up down for 1s\n  start --listen {listen} --upstream {up.addr} --netlab-no-such-flag 1\n"))
        #expect(!text.contains("other") && !text.contains("forwards"))
    }

    @Test("no contract without a check")
    func needsACheck() throws {
        let lesson = try CheckScript.parse(source: "start --listen {listen}\n", file: "checks.netlab")
        #expect(ContractChecks.script(for: lesson) == nil)
    }
}
