import Foundation

extension LessonReadme.Hint {
    /// The heading `netlab hint` prints: `Hint 2 of 3: One task per client`, or `Hint 2 of 3`
    /// alone when the README's heading says no more than that (`### Hint 2`, `### Hint`), so
    /// that no hint is announced as `Hint 2 of 3: Hint 2`.
    public func heading(number: Int, of count: Int) -> String {
        let base = "Hint \(number) of \(count)"
        let title = self.title.trimmingCharacters(in: .whitespaces)
        return Self.saysNothing(title) ? base : "\(base): \(title)"
    }

    /// Whether a title is empty or only "Hint", maybe with a number (`Hint 1`, `hint #2`, `Hint 3:`).
    static func saysNothing(_ title: String) -> Bool {
        var rest = Substring(title.lowercased())
        guard rest.hasPrefix("hint") || rest.isEmpty else { return false }
        rest = rest.dropFirst(4)
        return rest.allSatisfy { $0 == " " || $0 == "#" || $0 == ":" || $0 == "." || $0.isASCII && $0.isNumber }
    }
}
