// mistake: unescaped-labels
// fails: escapes label values
//
// Label values are written as they are: a `"` in the server's name ends the value early, a `\`
// starts an escape that is not one, and a newline cuts the sample in two. Prometheus refuses the
// whole scrape, so one odd name loses every metric.
enum UnescapedLabels {
    /// The value between the quotes: as it is.
    static func escape(_ value: String) -> String { value }
}
