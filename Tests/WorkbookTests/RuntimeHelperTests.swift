@testable import CheckLanguage
@testable import CheckRuntime
import Testing
@testable import Workbook

@Suite("Helpers for the interpreter")
struct RuntimeHelperTests {
    @Test("random data is the same on every run, differs by name, and honours seed N")
    func randomBytes() {
        let data = RandomData(size: 100)
        let at = loc(5, 3)
        let s1 = data.effectiveSeed(checkName: "echo", resolvedName: "x", location: at)
        #expect(s1 == data.effectiveSeed(checkName: "echo", resolvedName: "x", location: at))
        #expect(s1 != data.effectiveSeed(checkName: "echo", resolvedName: "y", location: at))
        #expect(s1 != data.effectiveSeed(checkName: "other", resolvedName: "x", location: at))
        #expect(
            data.effectiveSeed(checkName: "echo", resolvedName: nil, location: at)
                != data.effectiveSeed(checkName: "echo", resolvedName: nil, location: loc(6, 3)))
        #expect(RandomData(size: 1, seed: 42).effectiveSeed(checkName: "echo", resolvedName: "x", location: at) == 42)
        let a = RandomData.bytes(count: 1000, seed: 42)
        #expect(a.count == 1000)
        #expect(a == RandomData.bytes(count: 1000, seed: 42))
        #expect(Array(a.prefix(13)) == RandomData.bytes(count: 13, seed: 42))
        #expect(a != RandomData.bytes(count: 1000, seed: 43))
        #expect(Set(a).count > 200)
        #expect(RandomData.bytes(count: 0, seed: 1).isEmpty)
    }

    @Test("chunking splits data as documented")
    func pieces() {
        #expect(Delivery(chunking: .size(1)).pieceSizes(total: 3) == [1, 1, 1])
        #expect(Delivery(chunking: .size(4)).pieceSizes(total: 10) == [4, 4, 2])
        #expect(Delivery(chunking: .count(3)).pieceSizes(total: 10) == [4, 3, 3])
        #expect(Delivery(chunking: .count(16)).pieceSizes(total: 65_536) == Array(repeating: 4096, count: 16))
        #expect(Delivery(chunking: .count(5)).pieceSizes(total: 2) == [1, 1])
        #expect(Delivery(chunking: .count(5)).pieceSizes(total: 0) == [])
    }

    @Test("durations print the way scripts write them")
    func durationText() {
        #expect(Duration.milliseconds(250).scriptText == "250ms")
        #expect(Duration.seconds(2).scriptText == "2s")
        #expect(Duration.milliseconds(1500).scriptText == "1500ms")
        #expect(Duration.seconds(120).scriptText == "2m")
        #expect(Duration.microseconds(100).scriptText == "100us")
        #expect(Duration.nanoseconds(1500).scriptText == "1.5us")
        #expect(Duration.zero.scriptText == "0s")
        #expect(!Duration.seconds(Int64.max).scriptText.isEmpty)
        #expect(!Duration.seconds(-1).scriptText.isEmpty)
    }

    @Test("templates render and print in source form; names resolve with loop values")
    func templates() throws {
        let s = try steps("repeat 2 as i\n  connect c{i} to \"127.0.0.1:{i}{{}}\"\nend\n")
        let connect = try #require(s.first?.loop?.body.first?.connect)
        let target = try #require(connect.target)
        #expect(target.description == "127.0.0.1:{i}{{}}")
        #expect(target.placeholders == [.loopVariable("i")])
        #expect(target.render { _ in "7" } == "127.0.0.1:7{}")
        #expect(connect.client.description == "c{i}")
        #expect(connect.client.staticName == nil)
        #expect(connect.client.variables == ["i"])
        #expect(connect.client.resolve(["i": 1]) == "c1")
        #expect(connect.client.resolve([:]) == nil)
    }
}
