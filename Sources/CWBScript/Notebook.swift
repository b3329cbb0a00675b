import CWBCore
import Foundation

/// A `.cwb` notebook: a script whose `# %%` lines start cells (jupytext's "percent" format).
/// `# %% Title` names a code cell; `# %% [markdown] Title` starts prose written in comment lines.
public struct Notebook {
    public struct Cell {
        /// 1-based, in file order (markdown cells count too, so numbers match the file).
        public let index: Int
        public let title: String
        public let isMarkdown: Bool
        /// File line of the cell's first line after its marker.
        public let firstLine: Int
        public let text: String

        /// Prose of a markdown cell: its comment lines without the leading `# `.
        public var prose: String {
            text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                var l = Substring(line)
                if l.hasPrefix("#") { l = l.dropFirst(); if l.hasPrefix(" ") { l = l.dropFirst() } }
                return String(l)
            }.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }

        public var isBlank: Bool { text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        public var label: String { title.isEmpty ? "cell \(index)" : "cell \(index) '\(title)'" }
    }

    public let name: String
    public let cells: [Cell]

    public static func isMarker(_ line: Substring) -> Bool {
        line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("# %%")
    }

    public static func hasCells(_ text: String) -> Bool {
        text.split(separator: "\n").contains { isMarker($0) }
    }

    public init(name: String, text: String) {
        self.name = name
        var cells: [Cell] = []
        var title = "", markdown = false, first = 1, lines: [Substring] = []
        var sawMarker = false
        func flush() {
            let body = lines.joined(separator: "\n")
            // Text before the first marker is a cell only when it holds something.
            if sawMarker || !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                cells.append(Cell(index: cells.count + 1, title: title, isMarkdown: markdown, firstLine: first, text: body))
            }
        }
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in all.enumerated() {
            if Notebook.isMarker(line) {
                flush()
                sawMarker = true
                var rest = line.drop(while: { $0 == " " || $0 == "\t" }).dropFirst(4).trimmingCharacters(in: .whitespaces)
                markdown = rest.hasPrefix("[markdown]")
                if markdown { rest = String(rest.dropFirst("[markdown]".count)).trimmingCharacters(in: .whitespaces) }
                title = rest
                first = i + 2
                lines = []
            } else {
                lines.append(line)
            }
        }
        flush()
        self.cells = cells
    }

    public static func load(_ path: String) throws -> Notebook {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScriptError(.runtime, "cannot read '\(path)' (no such file, or not readable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScriptError(.runtime, "'\(path)' is not UTF-8 text")
        }
        return Notebook(name: path, text: text)
    }
}

/// Runs notebook cells in one interpreter, capturing each cell's output, wall time and the
/// files it wrote; stops at the first error.
public final class NotebookRunner {
    public struct CellResult {
        public let cell: Notebook.Cell
        public let output: String
        public let seconds: Double
        public let artifacts: [String]
        public let error: ScriptError?
    }

    public let notebook: Notebook
    public let interpreter: Interpreter
    /// Receives output as it happens (the terminal), besides the capture for the report.
    public var echo: (String) -> Void

    public init(notebook: Notebook, interpreter: Interpreter, echo: @escaping (String) -> Void) {
        self.notebook = notebook
        self.interpreter = interpreter
        self.echo = echo
    }

    /// Runs one cell: prints its heading, output and time.
    public func run(_ cell: Notebook.Cell) -> CellResult {
        let heading = "── [\(cell.index)] " + (cell.title.isEmpty ? (cell.isMarkdown ? "markdown" : "code") : cell.title) + " "
        echo(heading + String(repeating: "─", count: max(3, 72 - heading.count)) + "\n")
        if cell.isMarkdown || cell.isBlank {
            return CellResult(cell: cell, output: "", seconds: 0, artifacts: [], error: nil)
        }
        var captured = ""
        let saved = interpreter.output
        interpreter.output = { [echo] text in captured += text; echo(text) }
        defer { interpreter.output = saved }
        _ = interpreter.takeArtifacts()
        let source = SourceFile(name: notebook.name, text: cell.text, firstLine: cell.firstLine)
        let start = DispatchTime.now().uptimeNanoseconds
        var failure: ScriptError?
        do {
            let result = try interpreter.run(source)
            if result.shouldShow { interpreter.emit(result.value.repr) }
        } catch let e as ScriptError {
            failure = e
        } catch {
            failure = ScriptError(.runtime, "\(error)")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let failure {
            echo("error in \(cell.label) of \(notebook.name):\n\(failure.rendered)\n")
        }
        echo(String(format: "   (%.3f s)\n", seconds))
        return CellResult(cell: cell, output: captured, seconds: seconds, artifacts: interpreter.takeArtifacts(), error: failure)
    }

    /// Runs the cells whose index is in `range` (all when nil), stopping at the first error.
    public func run(cells range: ClosedRange<Int>? = nil) -> [CellResult] {
        var results: [CellResult] = []
        for cell in notebook.cells where range?.contains(cell.index) ?? true {
            let r = run(cell)
            results.append(r)
            if r.error != nil { break }
        }
        return results
    }

    /// A Markdown report: each cell's prose or code, its output, the plots it wrote (linked
    /// relative to the report), its time; the error if one stopped the run.
    public static func report(_ notebook: Notebook, _ results: [CellResult], reportPath: String) -> String {
        let reportDir = URL(fileURLWithPath: reportPath).deletingLastPathComponent().standardizedFileURL
        var out = "# \(URL(fileURLWithPath: notebook.name).lastPathComponent)\n\n"
        let total = results.reduce(0) { $0 + $1.seconds }
        let failed = results.contains { $0.error != nil }
        out += "Ran \(results.count) of \(notebook.cells.count) cells in " + String(format: "%.2f s", total)
        out += failed ? " — **stopped by an error**.\n" : ".\n"
        for r in results {
            let cell = r.cell
            out += "\n## [\(cell.index)] \(cell.title.isEmpty ? (cell.isMarkdown ? "Notes" : "Code") : cell.title)\n\n"
            if cell.isMarkdown { out += cell.prose + "\n"; continue }
            if cell.isBlank { continue }
            out += "```swift\n" + cell.text.trimmingCharacters(in: .newlines) + "\n```\n"
            if !r.output.isEmpty { out += "\nOutput:\n\n```text\n" + r.output.trimmingCharacters(in: .newlines) + "\n```\n" }
            for path in r.artifacts {
                let link = relativePath(from: reportDir, to: URL(fileURLWithPath: path).standardizedFileURL)
                out += "\n![\(URL(fileURLWithPath: path).lastPathComponent)](\(link.replacingOccurrences(of: " ", with: "%20")))\n"
            }
            if let e = r.error { out += "\n**Error:**\n\n```text\n" + e.rendered + "\n```\n" }
            out += "\n*" + String(format: "%.3f s", r.seconds) + "*\n"
        }
        return out
    }

    static func relativePath(from dir: URL, to file: URL) -> String {
        let a = dir.pathComponents, b = file.pathComponents
        var common = 0
        while common < a.count, common < b.count - 1, a[common] == b[common] { common += 1 }
        let ups = Array(repeating: "..", count: a.count - common)
        return (ups + b[common...]).joined(separator: "/")
    }

    /// Writes `text` to `path` atomically (temp file + rename).
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(Data(text.utf8), to: path)
    }
}
