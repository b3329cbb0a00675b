import CWBCore
import Foundation

/// One REPL session, independent of how lines arrive (readline or a pipe): runs entries,
/// auto-prints values, and handles the `:commands`.
public final class ReplSession {
    public let interpreter: Interpreter
    /// Where errors go (stderr in the REPL).
    public var errorOutput: (String) -> Void
    public private(set) var notebook: Notebook?
    var nextCell = 0
    /// Lines read so far, so `<stdin>:LINE:COL` points at the line as typed.
    var linesSoFar = 0

    public enum Outcome: Equatable { case ok, failed, quit }

    public init(interpreter: Interpreter = Interpreter(), errorOutput: @escaping (String) -> Void = { text in
        FileHandle.standardError.write(Data(text.utf8))
    }) {
        self.interpreter = interpreter
        self.errorOutput = errorOutput
    }

    public static let commandHelp = """
        Commands:
          :help [name]     help for a builtin or keyword; without a name, this text and the builtins
          :vars            the variables and their values
          :type expr       the type of expr (and a tensor's shape)
          :load FILE       run a script, or load a notebook's cells for :run
          :cells           the loaded notebook's cells
          :run N|next|all  run a notebook cell, the next one, or all
          :time expr       run expr and show its wall time
          :reset           forget every variable
          :quit            leave (Ctrl-D too)
        A value is shown after each entry unless it ends with ';'. Ctrl-C stops a computation.
        """

    /// Whether the REPL should read another line before running `text`.
    public static func needsMoreInput(_ text: String) -> Bool {
        if text.trimmingCharacters(in: .whitespaces).hasPrefix(":") { return false }
        return Lexer.needsMoreInput(text)
    }

    /// Runs one entry (possibly several lines) and reports how it went.
    @discardableResult
    public func handle(_ input: String) -> Outcome {
        let firstLine = linesSoFar + 1
        linesSoFar += input.split(separator: "\n", omittingEmptySubsequences: false).count
        let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .ok }
        do {
            if trimmed.hasPrefix(":") { return try command(trimmed, firstLine: firstLine) }
            let result = try interpreter.run(SourceFile(name: "<stdin>", text: input, firstLine: firstLine))
            if result.shouldShow { interpreter.emit(result.value.repr) }
            return .ok
        } catch let e as ScriptError {
            report(e)
            return .failed
        } catch {
            report(ScriptError(.runtime, "\(error)"))
            return .failed
        }
    }

    func report(_ e: ScriptError) { errorOutput(e.rendered + "\n") }

    func command(_ text: String, firstLine: Int) throws -> Outcome {
        let name = String(text.prefix { !$0.isWhitespace })
        let arg = text.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        // The argument starts after the command: errors point into the typed line.
        let argColumn = text.count - arg.count + 1
        func argSource() -> SourceFile {
            SourceFile(name: "<stdin>", text: String(repeating: " ", count: argColumn - 1) + arg, firstLine: firstLine)
        }
        switch name {
        case ":help", ":h":
            if arg.isEmpty { interpreter.emit(ReplSession.commandHelp + "\n\n" + Help.overview(interpreter.registry)) }
            else { interpreter.emit(try Help.text(arg, interpreter.registry)) }
        case ":vars":
            let vars = interpreter.variables
            if vars.isEmpty { interpreter.emit("(no variables)") }
            let width = vars.map(\.name.count).max() ?? 0
            for (n, v) in vars {
                let firstLine = v.repr.split(separator: "\n").first.map(String.init) ?? ""
                let shown = firstLine.count > 70 ? String(firstLine.prefix(69)) + "…" : firstLine
                interpreter.emit(n.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + v.typeName.padding(toLength: 9, withPad: " ", startingAt: 0) + " " + shown)
            }
        case ":type":
            guard !arg.isEmpty else { throw ScriptError(.syntax, ":type needs an expression, e.g. :type x") }
            let v = try interpreter.evaluate(argSource())
            if case let .tensor(t) = v { interpreter.emit("tensor " + TensorFormat.shapeText(t.shape) + " float32") }
            else { interpreter.emit(v.typeName) }
        case ":time":
            guard !arg.isEmpty else { throw ScriptError(.syntax, ":time needs an expression, e.g. :time x @ x") }
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try interpreter.run(argSource())
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if result.shouldShow { interpreter.emit(result.value.repr) }
            interpreter.emit(seconds < 1 ? String(format: "time: %.3f ms", seconds * 1000) : String(format: "time: %.3f s", seconds))
        case ":load":
            guard !arg.isEmpty else { throw ScriptError(.syntax, ":load needs a file name") }
            let path = arg.hasPrefix("\"") && arg.hasSuffix("\"") && arg.count >= 2 ? String(arg.dropFirst().dropLast()) : arg
            let nb = try Notebook.load(path)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ScriptError(.runtime, "cannot read '\(path)'")
            }
            if Notebook.hasCells(text) {
                notebook = nb
                nextCell = 0
                interpreter.emit("loaded \(nb.cells.count) cells from \(path): :cells lists them, :run next|N|all runs them")
            } else {
                try interpreter.run(SourceFile(name: path, text: text))
                interpreter.emit("ran \(path)")
            }
        case ":cells":
            guard let nb = notebook else { throw ScriptError(.runtime, "no notebook loaded (use :load FILE.cwb)") }
            for cell in nb.cells {
                let kind = cell.isMarkdown ? "markdown" : "code"
                let marker = cell.index - 1 == nextCell ? "  ← next" : ""
                interpreter.emit(String(format: "%3d  ", cell.index) + (cell.title.isEmpty ? "(untitled)" : cell.title) + "  [\(kind), line \(cell.firstLine)]" + marker)
            }
        case ":run":
            guard let nb = notebook else { throw ScriptError(.runtime, "no notebook loaded (use :load FILE.cwb)") }
            // The runner swaps the interpreter's output while a cell runs: echo to the one we have now.
            let terminal = interpreter.output
            let runner = NotebookRunner(notebook: nb, interpreter: interpreter, echo: terminal)
            var chosen: [Notebook.Cell]
            switch arg {
            case "", "next":
                guard nextCell < nb.cells.count else { throw ScriptError(.runtime, "no cells left to run (:run 1 starts again)") }
                chosen = [nb.cells[nextCell]]
            case "all": chosen = Array(nb.cells[nextCell...])
            default:
                guard let n = Int(arg), n >= 1, n <= nb.cells.count else {
                    throw ScriptError(.syntax, ":run expects a cell number 1…\(nb.cells.count), 'next' or 'all', got '\(arg)'")
                }
                chosen = [nb.cells[n - 1]]
            }
            for cell in chosen {
                let r = runner.run(cell)
                nextCell = cell.index
                if r.error != nil { return .failed }
            }
        case ":reset":
            interpreter.reset()
            nextCell = 0
            interpreter.emit("(all variables forgotten)")
        case ":quit", ":q", ":exit":
            return .quit
        default:
            throw ScriptError(.syntax, "unknown command '\(name)' (\(Completion.commands.joined(separator: " ")))")
        }
        return .ok
    }
}
