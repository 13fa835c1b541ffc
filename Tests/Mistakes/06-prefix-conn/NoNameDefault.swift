// mistake: no-name-default
// fails: closes a client that sends no name
//
// Closes a client whose name has no route, as it should, but sends a client that sent no name
// at all to the first route, "so that old clients still work": it connects someone to a site
// they never asked for.
import LessonKit
import NetCore

enum NoNameDefault {
    static func main() -> Never {
        // The mistake: no name is not "no route" here, but "the first route".
        serveRoutes(
            route: { name, routes, firstRoute in
                guard let name else { return firstRoute }
                return routes[name.lowercased()]
            }, dialAndProxy)
    }
}
