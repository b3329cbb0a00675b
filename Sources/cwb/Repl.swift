import CWBCore
import CWBScript
import Foundation

/// The REPL loop: readline on a terminal, plain lines from a pipe (so it can be scripted and
/// tested). Errors never end it; Ctrl-D or :quit does.
enum Repl {
    static func run() -> Int32 {
        let interactive = isatty(0) == 1
        let session = ReplSession()
        session.interpreter.isInteractive = interactive && isatty(1) == 1
        if interactive {
            installInterruptHandler()
            Readline.setUp(session: session)
            print("cwb — the colorization workbench. :help for help, Ctrl-D to leave.")
        }
        var pending = ""
        while true {
            StopRequest.clear()
            let prompt = pending.isEmpty ? "cwb> " : "...> "
            let line: String?
            if interactive { line = Readline.read(prompt: prompt) } else { line = readLine(strippingNewline: true) }
            guard let line else {
                let rest = pending
                if !rest.isEmpty { _ = BigStack.run { session.handle(rest) } }
                break
            }
            if interactive { Readline.remember(line) }
            pending += pending.isEmpty ? line : "\n" + line
            if ReplSession.needsMoreInput(pending) { continue }
            let entry = pending
            pending = ""
            if BigStack.run({ session.handle(entry) }) == .quit { break }
        }
        if interactive {
            Readline.finish()
            print("")
        }
        return 0
    }

    /// Ctrl-C only raises the stop flag; loops and training poll it and stop at their next step.
    static func installInterruptHandler() {
        signal(SIGINT) { _ in StopRequest.request() }
    }
}
