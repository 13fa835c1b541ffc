// mistake: substring-routes
// fails: matches whole names, in any case
//
// Picks the first route whose name appears anywhere in the server name. It routes a.test and
// b.test, and it also sends evil-a.test to a.test's upstream: a client reaches a site it never
// asked for.
import LessonKit
import NetCore

enum SubstringRoutes {
    static func main() -> Never {
        // The mistake: `contains` instead of comparing whole names.
        serveRoutes(
            route: { name, routes, _ in
                guard let name = name?.lowercased() else { return nil }
                return routes.sorted { $0.key < $1.key }.first { name.contains($0.key) }?.value
            }, dialAndProxy)
    }
}
