/// Stage 2: tokens → syntax tree, by precedence climbing (Pratt). The grammar is in
/// docs/LANGUAGE.md; binding powers, loosest first:
/// `or` < `and` < `not` < comparisons < `..` `..<` < `+ -` < `* / % @` < unary `-` < `**` < postfix.
public struct Parser {
    var tokens: [Token]
    var p = 0
    /// Nesting depth of expressions: odd input like 10 000 '(' must be an error, not a stack overflow.
    var depth = 0
    static let maxDepth = 150

    public init(tokens: [Token]) { self.tokens = tokens }

    /// Parses a whole program (a script, a cell, a REPL entry).
    public static func parse(_ file: SourceFile) throws -> Block {
        var lexer = Lexer(file: file)
        var parser = Parser(tokens: try lexer.tokenize())
        return try parser.program()
    }

    /// Parses one expression (used by `:type` and `:time`).
    public static func parseExpression(_ file: SourceFile) throws -> Expr {
        var lexer = Lexer(file: file)
        var parser = Parser(tokens: try lexer.tokenize())
        parser.skipNewlines()
        let e = try parser.expression()
        parser.skipNewlines()
        guard case .eof = parser.current.kind else {
            throw ScriptError(.syntax, "expected one expression, found \(describe(parser.current))", at: parser.current.location)
        }
        return e
    }

    var current: Token { tokens[p] }

    mutating func advance() -> Token {
        let t = tokens[p]
        if p < tokens.count - 1 { p += 1 }
        return t
    }

    func isSymbol(_ s: String) -> Bool { if case .symbol(s) = current.kind { return true }; return false }
    func isKeyword(_ s: String) -> Bool { if case .keyword(s) = current.kind { return true }; return false }

    mutating func expect(_ s: String, _ context: String) throws -> Token {
        guard isSymbol(s) else {
            throw ScriptError(.syntax, "expected '\(s)' \(context), found \(Parser.describe(current))", at: current.location)
        }
        return advance()
    }

    mutating func skipNewlines() { while current.kind == .newline { _ = advance() } }

    static func describe(_ t: Token) -> String {
        switch t.kind {
        case let .number(v): return "number \(formatNumber(v))"
        case .string: return "a string"
        case let .name(n): return "name '\(n)'"
        case let .keyword(k): return "keyword '\(k)'"
        case let .symbol(s): return "'\(s)'"
        case .newline: return "end of line"
        case .eof: return "end of input"
        }
    }

    // MARK: statements

    mutating func program() throws -> Block {
        var statements: [Statement] = []
        skipNewlines()
        while current.kind != .eof {
            statements.append(try statement())
            try endOfStatement(&statements, closing: nil)
        }
        return Block(statements: statements)
    }

    /// After a statement: `;` (which silences it), a newline, or the end of the block.
    mutating func endOfStatement(_ statements: inout [Statement], closing: String?) throws {
        if isSymbol(";") {
            _ = advance()
            if case let .expression(e, _) = statements.last! { statements[statements.count - 1] = .expression(e, quiet: true) }
            skipNewlines()
            return
        }
        if current.kind == .newline { skipNewlines(); return }
        if current.kind == .eof { return }
        if let closing, isSymbol(closing) { return }
        throw ScriptError(.syntax, "expected end of statement, found \(Parser.describe(current))", at: current.location)
    }

    mutating func statement() throws -> Statement {
        let loc = current.location
        if isKeyword("break") { _ = advance(); return .breakLoop(loc) }
        if isKeyword("continue") { _ = advance(); return .continueLoop(loc) }
        if isKeyword("return") {
            _ = advance()
            if current.kind == .newline || current.kind == .eof || isSymbol(";") || isSymbol("}") {
                return .returnValue(nil, loc)
            }
            return .returnValue(try expression(), loc)
        }
        let first = try expression()
        if isSymbol(",") || isSymbol("=") {
            var targets = [first]
            while isSymbol(",") {
                _ = advance()
                targets.append(try expression())
            }
            let eq = try expect("=", targets.count > 1 ? "after the names to destructure" : "in assignment")
            for t in targets { try checkTarget(t) }
            return .assign(targets, try expression(), eq.location)
        }
        for op in ["+=", "-=", "*=", "/="] where isSymbol(op) {
            let t = advance()
            try checkTarget(first)
            return .compound(String(op.dropLast()), first, try expression(), t.location)
        }
        // A named function definition is a declaration: the REPL does not echo it.
        if case let .function(decl, _) = first, decl.name != nil { return .expression(first, quiet: true) }
        return .expression(first, quiet: false)
    }

    func checkTarget(_ e: Expr) throws {
        switch e {
        case .name, .attribute, .index: return
        default: throw ScriptError(.syntax, "cannot assign to this expression (assign to a name, an attribute or an index)", at: e.location)
        }
    }

    mutating func block(_ context: String) throws -> Block {
        _ = try expect("{", context)
        var statements: [Statement] = []
        skipNewlines()
        while !isSymbol("}") {
            if current.kind == .eof { throw ScriptError(.syntax, "missing '}' to close the block", at: current.location) }
            statements.append(try statement())
            try endOfStatement(&statements, closing: "}")
        }
        _ = advance()
        return Block(statements: statements)
    }

    // MARK: expressions

    static func infixPower(_ t: TokenKind) -> Int? {
        switch t {
        case .keyword("or"): return 10
        case .keyword("and"): return 20
        case .symbol("=="), .symbol("!="), .symbol("<"), .symbol("<="), .symbol(">"), .symbol(">="): return 30
        case .symbol(".."), .symbol("..<"): return 40
        case .symbol("+"), .symbol("-"): return 50
        case .symbol("*"), .symbol("/"), .symbol("%"), .symbol("@"): return 60
        case .symbol("**"): return 80
        case .symbol("("), .symbol("["), .symbol("."): return 90
        default: return nil
        }
    }

    public mutating func expression(_ minPower: Int = 0) throws -> Expr {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maxDepth else {
            throw ScriptError(.syntax, "expression nested too deeply (more than \(Parser.maxDepth) levels)", at: current.location)
        }
        var left = try prefix()
        while let power = Parser.infixPower(current.kind), power > minPower {
            let op = advance()
            let loc = op.location
            switch op.kind {
            case .symbol("("): left = .call(left, try arguments(), loc)
            case .symbol("["): left = .index(left, try indexItems(), loc)
            case .symbol("."):
                guard case let .name(n) = current.kind else {
                    if case let .keyword(k) = current.kind { _ = advance(); left = .attribute(left, k, loc); continue }
                    throw ScriptError(.syntax, "expected an attribute name after '.', found \(Parser.describe(current))", at: current.location)
                }
                _ = advance()
                left = .attribute(left, n, loc)
            case .keyword(let k):
                left = .logical(k, left, try expression(power), loc)
            case .symbol(".."), .symbol("..<"):
                let inclusive = op.kind == .symbol("..")
                left = .range(left, try expression(power), inclusive: inclusive, loc)
            case .symbol("**"):
                left = .binary("**", left, try expression(power - 1), loc)   // right-associative
            case .symbol(let s):
                if power == 30, case .binary(let inner, _, _, _) = left, ["==", "!=", "<", "<=", ">", ">="].contains(inner) {
                    throw ScriptError(.syntax, "comparisons do not chain: write 'a < b and b < c'", at: loc)
                }
                left = .binary(s, left, try expression(power), loc)
            default:
                throw ScriptError(.syntax, "unexpected \(Parser.describe(op))", at: loc)
            }
        }
        return left
    }

    mutating func prefix() throws -> Expr {
        let t = advance()
        let loc = t.location
        switch t.kind {
        case let .number(v): return .number(v, loc)
        case let .string(parts): return .string(try segments(parts), loc)
        case let .name(n): return .name(n, loc)
        case .keyword("true"): return .bool(true, loc)
        case .keyword("false"): return .bool(false, loc)
        case .keyword("nil"): return .nilLiteral(loc)
        case .keyword("not"): return .unary("not", try expression(25), loc)
        case .symbol("-"): return .unary("-", try expression(70), loc)
        case .symbol("+"): return .unary("+", try expression(70), loc)
        case .symbol("("):
            let e = try expression()
            _ = try expect(")", "to close '('")
            return e
        case .symbol("["):
            var items: [Expr] = []
            while !isSymbol("]") {
                items.append(try expression())
                if !isSymbol("]") { _ = try expect(",", "between list items") }
            }
            _ = advance()
            return .list(items, loc)
        case .symbol("{"): return try record(loc)
        case .keyword("fn"): return try function(loc)
        case .keyword("if"): return try ifElse(loc)
        case .keyword("for"):
            var names: [String] = []
            repeat {
                if !names.isEmpty { _ = advance() }
                guard case let .name(n) = current.kind else {
                    throw ScriptError(.syntax, "expected a loop variable name after 'for', found \(Parser.describe(current))", at: current.location)
                }
                _ = advance()
                names.append(n)
            } while isSymbol(",")
            guard isKeyword("in") else {
                throw ScriptError(.syntax, "expected 'in' after the loop variable, found \(Parser.describe(current))", at: current.location)
            }
            _ = advance()
            let sequence = try expression()
            return .forLoop(names, sequence, try block("to start the loop body"), loc)
        case .keyword("while"):
            let cond = try expression()
            return .whileLoop(cond, try block("to start the loop body"), loc)
        case .newline, .eof:
            throw ScriptError(.syntax, "expected an expression, found \(Parser.describe(t))", at: loc)
        default:
            throw ScriptError(.syntax, "expected an expression, found \(Parser.describe(t))", at: loc)
        }
    }

    mutating func record(_ loc: SourceLocation) throws -> Expr {
        var fields: [(String, Expr)] = []
        skipNewlines()
        while !isSymbol("}") {
            let keyToken = advance()
            let key: String
            switch keyToken.kind {
            case let .name(n), let .keyword(n): key = n
            case let .string(parts):
                guard parts.count == 1, case let .text(s) = parts[0] else {
                    throw ScriptError(.syntax, "a record key cannot be interpolated", at: keyToken.location)
                }
                key = s
            default:
                throw ScriptError(.syntax, "expected a record key (a name or a string), found \(Parser.describe(keyToken))", at: keyToken.location)
            }
            if fields.contains(where: { $0.0 == key }) {
                throw ScriptError(.syntax, "record key '\(key)' appears twice", at: keyToken.location)
            }
            _ = try expect(":", "after record key '\(key)'")
            skipNewlines()
            fields.append((key, try expression()))
            skipNewlines()
            if !isSymbol("}") { _ = try expect(",", "between record fields"); skipNewlines() }
        }
        _ = advance()
        return .record(fields, loc)
    }

    mutating func function(_ loc: SourceLocation) throws -> Expr {
        var name: String?
        if case let .name(n) = current.kind { name = n; _ = advance() }
        _ = try expect("(", "to start the parameter list")
        var parameters: [Parameter] = []
        while !isSymbol(")") {
            let pt = advance()
            guard case let .name(pn) = pt.kind else {
                throw ScriptError(.syntax, "expected a parameter name, found \(Parser.describe(pt))", at: pt.location)
            }
            if parameters.contains(where: { $0.name == pn }) {
                throw ScriptError(.syntax, "parameter '\(pn)' appears twice", at: pt.location)
            }
            var defaultValue: Expr?
            if isSymbol("=") || isSymbol(":") { _ = advance(); defaultValue = try expression() }
            else if parameters.last?.defaultValue != nil {
                throw ScriptError(.syntax, "parameter '\(pn)' needs a default value (it follows one that has one)", at: pt.location)
            }
            parameters.append(Parameter(name: pn, defaultValue: defaultValue))
            if !isSymbol(")") { _ = try expect(",", "between parameters") }
        }
        _ = advance()
        let body = try block("to start the function body")
        return .function(FunctionDecl(name: name, parameters: parameters, body: body), loc)
    }

    mutating func ifElse(_ loc: SourceLocation) throws -> Expr {
        let cond = try expression()
        let then = try block("after the 'if' condition")
        // `else` may start the next line.
        let save = p
        skipNewlines()
        guard isKeyword("else") else { p = save; return .ifElse(cond, then, nil, loc) }
        _ = advance()
        if isKeyword("if") {
            let elseLoc = advance().location
            let nested = try ifElse(elseLoc)
            return .ifElse(cond, then, Block(statements: [.expression(nested, quiet: false)]), loc)
        }
        return .ifElse(cond, then, try block("after 'else'"), loc)
    }

    mutating func arguments() throws -> [Argument] {
        var args: [Argument] = []
        while !isSymbol(")") {
            let loc = current.location
            var label: String?
            if case let .name(n) = current.kind, case .symbol(":") = tokens[min(p + 1, tokens.count - 1)].kind {
                label = n
                _ = advance(); _ = advance()
            } else if label == nil, args.last?.label != nil {
                throw ScriptError(.syntax, "a positional argument cannot follow keyword arguments", at: loc)
            }
            if let label, args.contains(where: { $0.label == label }) {
                throw ScriptError(.syntax, "argument '\(label)' is given twice", at: loc)
            }
            args.append(Argument(label: label, value: try expression(), location: loc))
            if !isSymbol(")") {
                guard isSymbol(",") else {
                    throw ScriptError(.syntax, "expected ',' or ')' after an argument, found \(Parser.describe(current))", at: current.location)
                }
                _ = advance()
            }
        }
        _ = advance()
        return args
    }

    mutating func indexItems() throws -> [IndexItem] {
        var items: [IndexItem] = []
        func boundary(_ parser: Parser) -> Bool { parser.isSymbol(":") || parser.isSymbol(",") || parser.isSymbol("]") }
        while !isSymbol("]") {
            let loc = current.location
            var start: Expr?
            if !isSymbol(":") { start = try expression() }
            if isSymbol(":") {
                _ = advance()
                let end: Expr? = boundary(self) ? nil : try expression()
                var step: Expr?
                if isSymbol(":") { _ = advance(); step = boundary(self) ? nil : try expression() }
                items.append(.slice(start: start, end: end, step: step, loc))
            } else if let start {
                items.append(.single(start))
            }
            if !isSymbol("]") { _ = try expect(",", "between indices") }
        }
        _ = advance()
        if items.isEmpty { throw ScriptError(.syntax, "empty index '[]'", at: current.location) }
        return items
    }

    func segments(_ parts: [StringPart]) throws -> [StringSegment] {
        let file = current.location.file
        return try parts.map { part in
            switch part {
            case let .text(s): return .text(s)
            case let .code(code, line, column):
                var lexer = Lexer(file: file, text: code, line: line, column: column)
                var sub = Parser(tokens: try lexer.tokenize())
                guard sub.current.kind != .eof else {
                    throw ScriptError(.syntax, "empty interpolation '\\()'", at: SourceLocation(file: file, line: line, column: column))
                }
                let e = try sub.expression()
                guard sub.current.kind == .eof else {
                    throw ScriptError(.syntax, "expected ')' to end the interpolation, found \(Parser.describe(sub.current))", at: sub.current.location)
                }
                return .code(e)
            }
        }
    }
}
