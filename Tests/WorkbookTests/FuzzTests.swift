@testable import CheckLanguage
@testable import CheckRuntime
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// The parser must return or throw on any input, never trap. These tests feed it garbage and
/// near-misses; a crash fails the whole test run.
@Suite("Fuzzing")
struct FuzzTests {
    static let vocabulary: [String] = [
        "lesson", "start", "timeout", "upstream", "check", "hint", "points", "connect", "tls-connect",
        "send", "shutdown", "write", "reset", "close", "expect", "fds", "rss", "peak-rss", "cpu", "stop", "sleep",
        "repeat", "parallel", "end", "as", "to", "within", "after", "for", "fails", "sni", "ca", "no-verify", "no-read", "until",
        "alpn", "hex", "file", "random", "seed", "in", "chunks", "of", "every", "received", "eof", "closed",
        "silence", "connections", "server", "log", "no", "alive", "exited", "status", "echo", "sink",
        "silent", "refuse", "blackhole", "tls-echo", "cert", "key", "a", "b", "c{i}", "idle{i}", "x", "up", "i", "j", "base",
        "{listen}", "{up.addr}", "{upstream}", "{ca}", "{", "}", "{{", "}}", "{i}", "--listen", "\"hi\\n\"",
        "\"", "\"\\x", "\"\\xZZ\"", "\"16 03 01\"", "/re/", "/a(b/", "/", "//", "\\", "#", "<", "<=", "==", "!=",
        ">=", ">", "+", "-", "=", "!", "0", "1", "2", "50", "1.5s", "300ms", "2sx", "64KiB", "1MiB", "9999999999999999999999",
        "1.", "1..2s", "0.0000000001s", "99999999999999m", "18446744073709551616", "é", "\u{0}", "\t", "  ", "\n", "\r\n",
        "\r", "\u{FEFF}", "🙂",
    ]

    func survive(_ source: String) {
        let errors = CheckScript.diagnose(source: source, file: "fuzz.netlab")
        for e in errors {
            #expect(e.location.line >= 1 && e.location.column >= 1, "bad location for: \(source.debugDescription)")
        }
        do {
            let script = try CheckScript.parse(source: source, file: "fuzz.netlab")
            #expect(errors.isEmpty)
            _ = script.referencedFiles
        } catch {
            #expect(error == errors.first)
            _ = error.rendered(source: source)
        }
    }

    @Test("random bytes", arguments: 0..<4)
    func randomBytes(seed: UInt64) {
        var rng = SplitMix64Generator(seed: seed)
        for _ in 0..<500 {
            let count = Int.random(in: 0..<200, using: &rng)
            var bytes: [UInt8] = []
            for _ in 0..<count {
                // Mostly printable ASCII and newlines, with some arbitrary bytes.
                switch UInt8.random(in: 0..<10, using: &rng) {
                case 0: bytes.append(UInt8.random(in: 0...255, using: &rng))
                case 1: bytes.append(0x0A)
                default: bytes.append(UInt8.random(in: 0x20...0x7E, using: &rng))
                }
            }
            survive(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test("token soup", arguments: 0..<4)
    func tokenSoup(seed: UInt64) {
        var rng = SplitMix64Generator(seed: seed &+ 1000)
        for _ in 0..<500 {
            var source = ""
            for _ in 0..<Int.random(in: 0..<12, using: &rng) {
                for _ in 0..<Int.random(in: 0..<10, using: &rng) {
                    source += Self.vocabulary.randomElement(using: &rng) ?? ""
                    if Bool.random(using: &rng) || Int.random(in: 0..<4, using: &rng) > 0 { source += " " }
                }
                source += "\n"
            }
            survive(source)
        }
    }

    @Test("mutations of valid scripts", arguments: 0..<4)
    func mutations(seed: UInt64) {
        var rng = SplitMix64Generator(seed: seed &+ 2000)
        let originals = [designSketch, completeExample]
        for _ in 0..<300 {
            var scalars = Array((originals.randomElement(using: &rng) ?? designSketch).unicodeScalars)
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                guard !scalars.isEmpty else { break }
                let at = Int.random(in: 0..<scalars.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: scalars.remove(at: at)
                case 1: scalars.insert(scalars[Int.random(in: 0..<scalars.count, using: &rng)], at: at)
                case 2:
                    let word = Self.vocabulary.randomElement(using: &rng) ?? ""
                    scalars.insert(contentsOf: word.unicodeScalars, at: at)
                default:
                    let other = Int.random(in: 0..<scalars.count, using: &rng)
                    scalars.swapAt(at, other)
                }
            }
            survive(String(String.UnicodeScalarView(scalars)))
        }
    }

    @Test("pathological shapes: deep nesting, long lines, many errors, huge numbers")
    func pathological() {
        let deep = "start --listen {listen}\ncheck \"c\"\n" + String(repeating: "repeat 2\n", count: 5000) + String(repeating: "end\n", count: 5000)
        survive(deep)
        let errors = CheckScript.diagnose(source: deep, file: "checks.netlab")
        #expect(
            errors.map(\.description) == [
                "checks.netlab:19:1: error: blocks nested more than 16 deep; expected at most 16 levels of `repeat` and `parallel`"
            ])
        survive(String(repeating: "a", count: 100_000))
        survive("start --listen {listen}\ncheck \"c\"\n  sleep " + String(repeating: "9", count: 5000) + "ms")
        survive(String(repeating: "bogus\n", count: 10_000))
        #expect(CheckScript.diagnose(source: String(repeating: "bogus\n", count: 10_000), file: "f").count == 50)
        survive("check \"" + String(repeating: "\\", count: 999) + "\"")
        survive(String(repeating: "{", count: 1000))
        survive("start " + String(repeating: "{{", count: 1000) + "}")
    }
}
