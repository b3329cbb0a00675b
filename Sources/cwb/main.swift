import CWBBench
import CWBScript
import Foundation

/// `cwb` — the REPL, `cwb run NB`, `cwb -e CODE`, `cwb FILE.cwb`, `cwb bench ...`.
let usage = """
    usage: cwb                         the REPL (:help inside)
           cwb FILE.cwb                run a script
           cwb -e 'code'               run code, print the last value, exit (non-zero on error)
           cwb run NB.cwb [--cells 2..4] [--report FILE.md]
                                       run a notebook's cells with their outputs and times
           cwb colorize IN... -o OUT [--model FILE] [--size N]
                                       colorize photos (files or folders) at full resolution
           cwb eval --model FILE DIR [--csv FILE] [--hist FILE.png]
                                       PSNR/SSIM/colorfulness per image beside the gray baseline
           cwb bench SUITE [options]   benchmarks (release builds): kernels, unet, loader, overfit
    """

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

let arguments = Array(CommandLine.arguments.dropFirst())
let status: Int32
switch arguments.first {
case nil:
    status = Repl.run()
case "-h", "--help", "help":
    print(usage)
    status = 0
case "-e":
    guard arguments.count == 2 else { fail("cwb -e expects one argument: the code to run\n" + usage) }
    let code = arguments[1]
    status = BigStack.run { Commands.snippet(code) }
case "run":
    let rest = Array(arguments.dropFirst())
    status = BigStack.run { Commands.notebook(rest) }
case "bench":
    status = Bench.main(Array(arguments.dropFirst()))
case "colorize":
    Repl.installInterruptHandler()
    status = ColorizeCommand.run(Array(arguments.dropFirst()))
case "eval":
    status = EvalCommand.run(Array(arguments.dropFirst()))
case let path?:
    if path.hasPrefix("-") { fail("cwb: unknown option '\(path)'\n" + usage) }
    guard arguments.count == 1 else { fail("cwb: one script at a time\n" + usage) }
    status = BigStack.run { Commands.script(path) }
}
exit(status)
