/// Stage 1: text → tokens. Newlines end statements except inside `()` and `[]`;
/// `"…\(expr)…"` strings keep the interpolated code with its position for the parser.
public enum StringPart: Equatable {
    case text(String)
    case code(String, line: Int, column: Int)
}

public enum TokenKind: Equatable {
    case number(Double)
    case string([StringPart])
    case name(String)
    case keyword(String)
    case symbol(String)
    case newline
    case eof
}

public struct Token {
    public let kind: TokenKind
    public let location: SourceLocation
}

public struct Lexer {
    public static let keywords: Set<String> = [
        "fn", "if", "else", "for", "in", "while", "break", "continue", "return",
        "and", "or", "not", "true", "false", "nil",
    ]
    // Longest first, so `..<` wins over `..` and `**` over `*`.
    static let symbols = ["..<", "**", "..", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=",
                          "+", "-", "*", "/", "%", "@", "<", ">", "=", "(", ")", "[", "]", "{", "}",
                          ",", ":", ";", "."]

    let file: SourceFile
    let chars: [Character]
    var i = 0
    var line: Int
    var column: Int
    /// Open brackets, innermost last.
    public private(set) var open: [Character] = []

    public init(file: SourceFile) {
        self.init(file: file, text: file.text, line: file.firstLine, column: 1)
    }

    /// Lexes `text` as if it started at `line:column` of `file` (interpolated code).
    init(file: SourceFile, text: String, line: Int, column: Int) {
        self.file = file
        self.chars = Array(text)
        self.line = line
        self.column = column
    }

    var here: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    mutating func advance() -> Character {
        let c = chars[i]
        i += 1
        if c == "\n" { line += 1; column = 1 } else { column += 1 }
        return c
    }

    func peek(_ k: Int = 0) -> Character? { i + k < chars.count ? chars[i + k] : nil }

    public mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        while true {
            let t = try next()
            // Collapse blank lines: one newline token is enough.
            if t.kind == .newline, let last = tokens.last, last.kind == .newline { continue }
            if t.kind == .newline, tokens.isEmpty { continue }
            tokens.append(t)
            if t.kind == .eof { return tokens }
        }
    }

    mutating func next() throws -> Token {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\r" { _ = advance(); continue }
            if c == "#" { while let d = peek(), d != "\n" { _ = advance() }; continue }
            // A backslash at the end of a line continues the statement.
            if c == "\\", peek(1) == "\n" { _ = advance(); _ = advance(); continue }
            if c == "\n" {
                let loc = here
                _ = advance()
                if let top = open.last, top != "{" { continue }
                return Token(kind: .newline, location: loc)
            }
            break
        }
        let loc = here
        guard let c = peek() else { return Token(kind: .eof, location: loc) }
        if c.isNumber && c.isASCII { return Token(kind: .number(try number(loc)), location: loc) }
        if c.isLetter || c == "_" {
            var s = ""
            while let d = peek(), d.isLetter || d.isNumber || d == "_" { s.append(advance()) }
            return Token(kind: Lexer.keywords.contains(s) ? .keyword(s) : .name(s), location: loc)
        }
        if c == "\"" { return Token(kind: .string(try string(loc)), location: loc) }
        for sym in Lexer.symbols where matches(sym) {
            for _ in 0..<sym.count { _ = advance() }
            switch sym {
            case "(", "[", "{": open.append(sym.first!)
            case ")", "]", "}":
                let want: Character = sym == ")" ? "(" : sym == "]" ? "[" : "{"
                guard open.last == want else {
                    throw ScriptError(.syntax, open.isEmpty ? "unmatched '\(sym)'"
                                      : "'\(sym)' does not close '\(open.last!)'", at: loc)
                }
                open.removeLast()
            default: break
            }
            return Token(kind: .symbol(sym), location: loc)
        }
        throw ScriptError(.syntax, "unexpected character '\(c)'", at: loc)
    }

    func matches(_ sym: String) -> Bool {
        var k = 0
        for ch in sym {
            guard peek(k) == ch else { return false }
            k += 1
        }
        return true
    }

    mutating func number(_ loc: SourceLocation) throws -> Double {
        var s = ""
        func digits() { while let d = peek(), d.isASCII && (d.isNumber || d == "_") { let c = advance(); if c != "_" { s.append(c) } } }
        digits()
        // `1..3` is a range, not the number `1.`.
        if peek() == ".", let d = peek(1), d.isASCII && d.isNumber { s.append(advance()); digits() }
        if let e = peek(), e == "e" || e == "E" {
            let sign = peek(1)
            let hasSign = sign == "+" || sign == "-"
            if let d = peek(hasSign ? 2 : 1), d.isASCII && d.isNumber {
                s.append(advance())
                if hasSign { s.append(advance()) }
                digits()
            }
        }
        if let d = peek(), d.isLetter || d == "_" {
            throw ScriptError(.syntax, "malformed number '\(s)\(d)'", at: loc)
        }
        guard let v = Double(s) else { throw ScriptError(.syntax, "malformed number '\(s)'", at: loc) }
        return v
    }

    mutating func string(_ loc: SourceLocation) throws -> [StringPart] {
        _ = advance()  // opening quote
        var parts: [StringPart] = []
        var text = ""
        while true {
            guard let c = peek(), c != "\n" else {
                throw ScriptError(.syntax, "unterminated string (a '\"' is missing)", at: loc)
            }
            _ = advance()
            if c == "\"" { break }
            if c != "\\" { text.append(c); continue }
            let escLoc = SourceLocation(file: file, line: line, column: column - 1)
            guard let e = peek() else { throw ScriptError(.syntax, "unterminated string", at: loc) }
            _ = advance()
            switch e {
            case "n": text.append("\n")
            case "t": text.append("\t")
            case "\\": text.append("\\")
            case "\"": text.append("\"")
            case "(":
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                let startLine = line, startColumn = column
                var depth = 1
                var code = ""
                var inString = false
                while true {
                    guard let d = peek(), d != "\n" else {
                        throw ScriptError(.syntax, "unterminated interpolation '\\(' in string", at: escLoc)
                    }
                    _ = advance()
                    if inString {
                        if d == "\\", let n = peek() { code.append(d); code.append(advance()); _ = n; continue }
                        if d == "\"" { inString = false }
                    } else if d == "\"" {
                        inString = true
                    } else if d == "(" {
                        depth += 1
                    } else if d == ")" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    code.append(d)
                }
                parts.append(.code(code, line: startLine, column: startColumn))
            default:
                throw ScriptError(.syntax, "unknown escape '\\\(e)' in string (use \\n \\t \\\\ \\\" or \\(expr))", at: escLoc)
            }
        }
        if !text.isEmpty || parts.isEmpty { parts.append(.text(text)) }
        return parts
    }

    /// Whether `text` needs more lines before it can run: a bracket is still open or a string
    /// is unterminated. The REPL keeps reading while this holds.
    public static func needsMoreInput(_ text: String) -> Bool {
        var lexer = Lexer(file: SourceFile(name: "<input>", text: text))
        do {
            while try lexer.next().kind != .eof {}
            return !lexer.open.isEmpty || text.hasSuffix("\\")
        } catch let e as ScriptError {
            if e.message.hasPrefix("unterminated interpolation") { return false }
            return false
        } catch {
            return false
        }
    }
}
