@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// The failure transcripts of deliberately broken servers, compared with reviewed files in
/// `Golden/` after ports and times are normalised. To update them after a deliberate change:
/// `NETLAB_UPDATE_GOLDEN=1 swift test --filter RuntimeGoldenTests`, then review the diff.
@Suite("Golden transcripts", .serialized, .timeLimit(.minutes(1)))
struct RuntimeGoldenTests {
    @Test("a server that upper-cases instead of echoing: text diff with a caret")
    func upper() async throws {
        let r = try await runOne(
            """
            lesson "Echo"
            start --listen {listen} --mode upper --quiet-close
            check "echoes a line" points 2
              hint "Write back exactly the bytes you read."
              connect a
              expect server log /accepted/ within 1s
              send a "hello, world\\n"
              expect a "hello, world\\n" within 1s
            """)
        #expect(r.status == .fail)
        try expectGolden("upper", r.transcript)
    }

    @Test("a binary echo that flips byte 20: hex and ASCII side by side")
    func binary() async throws {
        let r = try await runOne(
            """
            start --listen {listen} --mode binbad --quiet-close
            check "is binary-safe"
              connect a
              expect server log /accepted/ within 1s
              send a hex "16 03 01 00 2a 01 00 00 26 03 03 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52"
              expect a hex "16 03 01 00 2a 01 00 00 26 03 03 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52" within 1s
            """)
        #expect(r.status == .fail)
        try expectGolden("binary", r.transcript)
    }

    @Test("a server that accepts and never answers: nothing within the bound, and the hint")
    func silent() async throws {
        let r = try await runOne(
            """
            start --listen {listen} --mode silent
            check "answers ping"
              hint "Is your accept loop blocked by the first client?"
              connect a
              expect server log /accepted/ within 1s
              send a "ping\\n"
              expect a "ping\\n" within 500ms
            """)
        #expect(r.status == .fail)
        try expectGolden("silent", r.transcript)
    }

    @Test("a program that exits before its ready line")
    func exits() async throws {
        let r = try await runOne(
            """
            start --listen {listen} --mode exit
            check "starts"
              connect a
            """)
        #expect(r.status == .fail)
        try expectGolden("exits", r.transcript)
    }
}
