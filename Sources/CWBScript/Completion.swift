import Foundation

/// Tab completion, independent of readline so it can be tested: names (variables, builtins,
/// keywords), attributes after `.`, file paths inside strings, and REPL commands.
public enum Completion {
    /// The characters that end a word for completion ('.' and '/' are kept inside words so
    /// `t.sh` and `Plots/un` complete as a whole).
    public static let wordBreaks = " \t\n\"(),[]{}:;=+-*@<>!%"

    public static let commands = [":help", ":vars", ":type", ":load", ":cells", ":run", ":time", ":reset", ":quit"]

    public struct Result: Equatable {
        public let matches: [String]
        /// A path: readline should not add a space after a directory.
        public let isPath: Bool
    }

    /// Completions of `word`, where `before` is the line text before the word.
    public static func complete(word: String, before: String, interpreter: Interpreter) -> Result {
        if insideString(before) { return Result(matches: paths(word), isPath: true) }
        let trimmed = before.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty, word.hasPrefix(":") {
            return Result(matches: commands.filter { $0.hasPrefix(word) }, isPath: false)
        }
        // readline breaks words at ':', so a command arrives as ":" before and "he" as the word.
        if trimmed == ":", before.hasSuffix(":") {
            return Result(matches: commands.filter { $0.hasPrefix(":" + word) }.map { String($0.dropFirst()) }, isPath: false)
        }
        if trimmed == ":load" { return Result(matches: paths(word), isPath: true) }
        if let dot = word.lastIndex(of: ".") {
            let base = String(word[..<dot]), partial = String(word[word.index(after: dot)...])
            guard let value = resolve(base, interpreter) else { return Result(matches: [], isPath: false) }
            let names = interpreter.attributeNames(of: value).filter { $0.hasPrefix(partial) }
            return Result(matches: names.map { base + "." + $0 }, isPath: false)
        }
        var names = Set(Lexer.keywords).union(interpreter.registry.names)
        for v in interpreter.variables { names.insert(v.name) }
        return Result(matches: names.filter { $0.hasPrefix(word) }.sorted(), isPath: false)
    }

    /// An odd number of unescaped quotes before the cursor: we are inside a string.
    static func insideString(_ text: String) -> Bool {
        var inside = false, escaped = false
        for c in text {
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "\"" { inside.toggle() }
        }
        return inside
    }

    /// Looks up `a.b.c` without calling anything (completion must have no side effects).
    static func resolve(_ chain: String, _ interpreter: Interpreter) -> Value? {
        let parts = chain.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, !first.isEmpty, var value = interpreter.globals.lookup(first) else { return nil }
        for name in parts.dropFirst() {
            switch value {
            case let .record(r): guard let v = r[name] else { return nil }; value = v
            case let .object(o): guard let v = try? o.attribute(name) else { return nil }; value = v
            case .tensor where Interpreter.tensorAttributes.contains(name) && name != "T":
                guard let v = try? interpreter.attribute(value, name, SourceLocation(file: SourceFile(name: "", text: ""), line: 1, column: 1)) else { return nil }
                value = v
            default: return nil
            }
        }
        return value
    }

    /// Files and folders starting with `partial` (folders end in '/').
    static func paths(_ partial: String) -> [String] {
        let expanded = partial.hasPrefix("~/") ? NSHomeDirectory() + partial.dropFirst(1) : partial
        let dirPart: String, namePart: String
        if let slash = expanded.lastIndex(of: "/") {
            dirPart = String(expanded[...slash]); namePart = String(expanded[expanded.index(after: slash)...])
        } else {
            dirPart = ""; namePart = expanded
        }
        let shownDir: String
        if let slash = partial.lastIndex(of: "/") { shownDir = String(partial[...slash]) } else { shownDir = "" }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dirPart.isEmpty ? "." : dirPart) else { return [] }
        return entries.filter { $0.hasPrefix(namePart) && (namePart.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().map { name in
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dirPart + name, isDirectory: &isDir)
            return shownDir + name + (isDir.boolValue ? "/" : "")
        }
    }
}
