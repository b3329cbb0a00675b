import CWBBench
import Foundation

// Placeholder entry point until the REPL lands: forwards `cwb bench ...`.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "bench" {
    exit(Bench.main(Array(arguments.dropFirst())))
}
print("cwb: the colorization workbench — the REPL is not built yet; try `cwb bench kernels`")
