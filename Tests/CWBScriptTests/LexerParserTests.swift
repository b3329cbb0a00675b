import XCTest
@testable import CWBScript

final class LexerParserTests: XCTestCase {
    func tokens(_ text: String) throws -> [TokenKind] {
        var lexer = Lexer(file: SourceFile(name: "t", text: text))
        return try lexer.tokenize().map(\.kind)
    }

    func testNumbersNamesAndSymbols() throws {
        XCTAssertEqual(try tokens("x = 2e-4 + 1_000 ** .."),
                       [.name("x"), .symbol("="), .number(2e-4), .symbol("+"), .number(1000), .symbol("**"), .symbol(".."), .eof])
        // `1..3` is a range, not the number 1.
        XCTAssertEqual(try tokens("1..3"), [.number(1), .symbol(".."), .number(3), .eof])
        XCTAssertEqual(try tokens("1..<3"), [.number(1), .symbol("..<"), .number(3), .eof])
        XCTAssertEqual(try tokens("0.5"), [.number(0.5), .eof])
    }

    func testNewlinesEndStatementsExceptInsideParenthesesAndBrackets() throws {
        XCTAssertEqual(try tokens("f(1,\n2)\n[3,\n4]"),
                       [.name("f"), .symbol("("), .number(1), .symbol(","), .number(2), .symbol(")"), .newline,
                        .symbol("["), .number(3), .symbol(","), .number(4), .symbol("]"), .eof])
        // Inside braces newlines separate statements.
        XCTAssertEqual(try tokens("{\na\n}"), [.symbol("{"), .newline, .name("a"), .newline, .symbol("}"), .eof])
    }

    func testCommentsAndKeywords() throws {
        XCTAssertEqual(try tokens("if x # note\nnot nil"), [.keyword("if"), .name("x"), .newline, .keyword("not"), .keyword("nil"), .eof])
    }

    func testStringEscapesAndInterpolation() throws {
        let t = try tokens(#""a\n\"b\" \(x + f("y")) end""#)
        guard case let .string(parts) = t[0] else { return XCTFail("not a string: \(t)") }
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(parts[0], .text("a\n\"b\" "))
        XCTAssertEqual(parts[1], .code(#"x + f("y")"#, line: 1, column: 13))
        XCTAssertEqual(parts[2], .text(" end"))
    }

    func testNeedsMoreInputWhileBracketsAreOpen() {
        XCTAssertTrue(Lexer.needsMoreInput("fn f(x) {"))
        XCTAssertTrue(Lexer.needsMoreInput("xs = [1,\n2"))
        XCTAssertFalse(Lexer.needsMoreInput("fn f(x) {\n x\n}"))
        XCTAssertFalse(Lexer.needsMoreInput("x = 1"))
        XCTAssertFalse(ReplSession.needsMoreInput(":help ("))
    }

    func parse(_ code: String) throws -> Block { try Parser.parse(SourceFile(name: "t", text: code)) }

    func expr(_ code: String) throws -> Expr {
        let block = try parse(code)
        guard block.statements.count == 1, case let .expression(e, _) = block.statements[0] else {
            XCTFail("not one expression: \(code)"); throw ScriptError(.syntax, "test")
        }
        return e
    }

    /// A fully parenthesised rendering, to check precedence and associativity.
    func shape(_ e: Expr) -> String {
        switch e {
        case let .number(v, _): return formatNumber(v)
        case let .name(n, _): return n
        case let .unary(op, x, _): return "(\(op) \(shape(x)))"
        case let .binary(op, a, b, _), let .logical(op, a, b, _): return "(\(shape(a)) \(op) \(shape(b)))"
        case let .range(a, b, inclusive, _): return "(\(shape(a))\(inclusive ? ".." : "..<")\(shape(b)))"
        case let .call(f, args, _): return shape(f) + "(" + args.map { ($0.label.map { $0 + ": " } ?? "") + shape($0.value) }.joined(separator: ", ") + ")"
        case let .attribute(b, n, _): return shape(b) + "." + n
        case let .index(b, items, _): return shape(b) + "[" + items.map { item -> String in
            switch item {
            case let .single(x): return shape(x)
            case let .slice(s, e, st, _): return (s.map(shape) ?? "") + ":" + (e.map(shape) ?? "") + (st.map { ":" + shape($0) } ?? "")
            }
        }.joined(separator: ", ") + "]"
        default: return "?"
        }
    }

    func testPrecedenceAndAssociativity() throws {
        XCTAssertEqual(shape(try expr("1 + 2 * 3")), "(1 + (2 * 3))")
        XCTAssertEqual(shape(try expr("1 - 2 - 3")), "((1 - 2) - 3)")
        XCTAssertEqual(shape(try expr("2 ** 3 ** 2")), "(2 ** (3 ** 2))")
        XCTAssertEqual(shape(try expr("-2 ** 2")), "(- (2 ** 2))")
        XCTAssertEqual(shape(try expr("a @ b + c")), "((a @ b) + c)")
        XCTAssertEqual(shape(try expr("not a == b and c or d")), "(((not (a == b)) and c) or d)")
        XCTAssertEqual(shape(try expr("1 + 2..n")), "((1 + 2)..n)")
        XCTAssertEqual(shape(try expr("a % b * c")), "((a % b) * c)")
    }

    func testPostfixCallsIndexAttributesAndKeywords() throws {
        XCTAssertEqual(shape(try expr("t[0, :, 1:3]")), "t[0, :, 1:3]")
        XCTAssertEqual(shape(try expr("t[::2, -1]")), "t[::2, (- 1)]")
        XCTAssertEqual(shape(try expr("f(x, lr: 2e-4).mean()")), "f(x, lr: 0.0002).mean()")
        XCTAssertEqual(shape(try expr("a.b.c(1)[2]")), "a.b.c(1)[2]")
    }

    func testStatementsAssignmentsAndQuietMarker() throws {
        let b = try parse("a, b = f()\nx += 1; y\nz;")
        XCTAssertEqual(b.statements.count, 4)
        guard case let .assign(targets, _, _) = b.statements[0] else { return XCTFail() }
        XCTAssertEqual(targets.count, 2)
        guard case .compound("+", _, _, _) = b.statements[1] else { return XCTFail() }
        guard case .expression(_, quiet: false) = b.statements[2] else { return XCTFail() }
        guard case .expression(_, quiet: true) = b.statements[3] else { return XCTFail() }
    }

    func testControlFlowAndFunctionsParse() throws {
        let b = try parse("""
            fn f(a, b: 2) {
              if a > b { return a }
              else if a == b { a } else { b }
            }
            for i, x in enumerate(xs) { if i > 1 { break } else { continue } }
            while true { break }
            g = fn(x) { x * 2 }
            """)
        XCTAssertEqual(b.statements.count, 4)
        guard case let .expression(.function(decl, _), _) = b.statements[0] else { return XCTFail() }
        XCTAssertEqual(decl.name, "f")
        XCTAssertEqual(decl.parameters.map(\.name), ["a", "b"])
        XCTAssertNotNil(decl.parameters[1].defaultValue)
        guard case let .expression(.forLoop(names, _, _, _), _) = b.statements[1] else { return XCTFail() }
        XCTAssertEqual(names, ["i", "x"])
    }

    func testRecordsSpanLines() throws {
        guard case let .record(fields, _) = try expr("{a: 1,\n  \"b c\": 2,\n}") else { return XCTFail() }
        XCTAssertEqual(fields.map(\.0), ["a", "b c"])
    }
}
