// mistake: default-route
// fails: closes a client whose name has no route
//
// Sends a name that has no route to the first route instead of closing: a client can reach an
// upstream it never asked for (and that upstream's certificate may even fit, as here).
import LessonKit
import NetCore

enum DefaultRoute {
    static func main() -> Never {
        // The mistake: a name without a route goes to the first route, "just in case".
        serveRoutes(
            route: { name, routes, firstRoute in
                routes[name?.lowercased() ?? "none"] ?? firstRoute
            }, dialAndProxy)
    }
}
