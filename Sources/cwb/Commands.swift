import CWBCore
import CWBScript
import Foundation

/// The non-interactive ways to run code.
enum Commands {
    /// In scripts and notebooks the first Ctrl-C stops the running loop or training step (an
    /// `interrupted` error naming where); a second one, if that takes too long, leaves at once.
    static func installInterruptHandler() {
        signal(SIGINT) { _ in
            if StopRequest.isRequested { _exit(130) }
            StopRequest.request()
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// `cwb -e 'code'`: runs the code; shows the last value like the REPL.
    static func snippet(_ code: String) -> Int32 {
        run(SourceFile(name: "<-e>", text: code), showLastValue: true)
    }

    /// `cwb FILE.cwb`: runs a script (all its cells, as one program).
    static func script(_ path: String) -> Int32 {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            printError("cwb: cannot read '\(path)' (no such file, or not UTF-8 text)")
            return 2
        }
        installInterruptHandler()
        return run(SourceFile(name: path, text: text), showLastValue: false)
    }

    /// Runs a program in a fresh interpreter: 0, or 1 after printing the located error.
    private static func run(_ source: SourceFile, showLastValue: Bool) -> Int32 {
        let interpreter = Interpreter()
        do {
            let result = try interpreter.run(source)
            if showLastValue && result.shouldShow { interpreter.emit(result.value.repr) }
            return 0
        } catch let e as ScriptError {
            printError(e.rendered)
        } catch {
            printError("error: \(error)")
        }
        return 1
    }

    /// `cwb run NB [--cells 2..4] [--report FILE.md]`.
    static func notebook(_ args: [String]) -> Int32 {
        var path: String?, report: String?, cells: ClosedRange<Int>?
        var i = 0
        while i < args.count {
            let a = args[i]
            switch a {
            case "-h", "--help":
                print("""
                usage: cwb run NB.cwb [--cells N | A..B] [--report FILE.md]
                  runs a notebook's cells in order, printing each cell's output and time
                  --cells   only these cells (numbers as printed, from 1)
                  --report  also write the cells, their outputs and times as Markdown
                """)
                return 0
            case "--report":
                guard i + 1 < args.count else { printError("cwb run: --report needs a file name"); return 2 }
                report = args[i + 1]; i += 2
            case "--cells":
                guard i + 1 < args.count, let r = parseCells(args[i + 1]) else {
                    printError("cwb run: --cells expects N or A..B (e.g. --cells 2..4)"); return 2
                }
                cells = r; i += 2
            default:
                guard path == nil, !a.hasPrefix("-") else { printError("cwb run: unexpected argument '\(a)'"); return 2 }
                path = a; i += 1
            }
        }
        guard let path else { printError("cwb run: which notebook? usage: cwb run NB.cwb [--cells 2..4] [--report FILE.md]"); return 2 }
        let notebook: Notebook
        do { notebook = try Notebook.load(path) } catch {
            printError("cwb run: \(error)"); return 2
        }
        if let cells, !notebook.cells.contains(where: { cells.contains($0.index) }) {
            printError("cwb run: \(path) has cells 1…\(notebook.cells.count); none in \(cells.lowerBound)..\(cells.upperBound)")
            return 2
        }
        installInterruptHandler()
        let runner = NotebookRunner(notebook: notebook, interpreter: Interpreter(), echo: { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        })
        let results = runner.run(cells: cells)
        if let report {
            do {
                try NotebookRunner.write(NotebookRunner.report(notebook, results, reportPath: report), to: report)
                print("report: \(report)")
            } catch {
                printError("cwb run: cannot write the report '\(report)': \(error.localizedDescription)")
                return 1
            }
        }
        if let failed = results.first(where: { $0.error != nil }) {
            printError("cwb run: stopped at \(failed.cell.label) (\(failed.error!.location?.description ?? path))")
            return 1
        }
        return 0
    }

    static func parseCells(_ text: String) -> ClosedRange<Int>? {
        if let n = Int(text), n >= 1 { return n...n }
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2 else { return nil }
        let lo = parts[0].isEmpty ? 1 : Int(parts[0]), hi = parts[1].isEmpty ? Int.max : Int(parts[1])
        guard let lo, let hi, lo >= 1, lo <= hi else { return nil }
        return lo...hi
    }
}
