// netbench: NetCore and NetTLS against their baselines, measured in the same run.
//
//   swift run -c release netbench [proxy|echo|idle|connrate|tls|rsa|twins|all] [--quick] [--lessons N,N]
//
// The servers under test run in processes of their own: netbench starts itself with a hidden
// `serve-proxy`, `serve-echo` or `serve-tls` subcommand (see Servers.swift).
#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
if let mode = arguments.first, mode.hasPrefix("serve-") {
    exit(await runServer(mode, Array(arguments.dropFirst())))
} else {
    exit(runDriver(arguments))
}
