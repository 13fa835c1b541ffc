// mistake: case-sensitive-routes
// fails: matches whole names, in any case
//
// Looks the name up exactly as the client wrote it. DNS names are case-insensitive, so a client
// that asks for A.Test means a.test, and this router turns it away.
import LessonKit
import NetCore

enum CaseSensitiveRoutes {
    static func main() -> Never {
        // The mistake: no lower-casing of the name the client sent.
        serveRoutes(route: { name, routes, _ in name.flatMap { routes[$0] } }, dialAndProxy)
    }
}
