/// A piece of source text with a name, so every error can say `file:line:col` and show the line.
public final class SourceFile: @unchecked Sendable {
    public let name: String
    public let text: String
    /// Lines of the whole file, for error excerpts.
    public let lines: [String]
    /// The file line of the text's first line (cells of a notebook start further down).
    public let firstLine: Int

    public init(name: String, text: String, firstLine: Int = 1) {
        self.name = name
        self.text = text
        self.firstLine = firstLine
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The text of file line `line`, if this source holds it.
    public func line(_ line: Int) -> String? {
        let i = line - firstLine
        return lines.indices.contains(i) ? lines[i] : nil
    }
}

/// A position in a source: 1-based line (in file coordinates) and column.
public struct SourceLocation: Sendable, CustomStringConvertible {
    public let file: SourceFile
    public let line: Int
    public let column: Int

    public init(file: SourceFile, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file.name):\(line):\(column)" }
}
