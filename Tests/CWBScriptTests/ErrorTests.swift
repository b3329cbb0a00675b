import XCTest
@testable import CWBScript

/// Each kind of error, with the position it must point at.
final class ErrorTests: XCTestCase {
    func testSyntaxErrors() {
        expectError("x = \"abc", .syntax, line: 1, column: 5, contains: "unterminated string")
        expectError("x = 1 $ 2", .syntax, line: 1, column: 7, contains: "unexpected character '$'")
        expectError("f(1, 2", .syntax, line: 1, column: 7, contains: "expected ',' or ')'")
        expectError("xs = [1, 2)", .syntax, line: 1, column: 11, contains: "does not close")
        expectError("a < b < c", .syntax, line: 1, column: 7, contains: "do not chain")
        expectError("x = 1\nbreak", .syntax, line: 2, column: 1, contains: "'break' outside a loop")
        expectError("return 1", .syntax, line: 1, column: 1, contains: "outside a function")
        expectError("f() = 3", .syntax, line: 1, column: 2, contains: "cannot assign")
        expectError("x = 1 2", .syntax, line: 1, column: 7, contains: "end of statement")
        expectError("\"a \\q\"", .syntax, line: 1, column: 4, contains: "unknown escape")
        expectError("if x { 1 ", .syntax, line: 1, column: 10, contains: "missing '}'")
        expectError("fn f(a: 1, b) { }", .syntax, line: 1, column: 12, contains: "needs a default")
        expectError("g(a: 1, 2)", .syntax, line: 1, column: 9, contains: "positional argument cannot follow")
        expectError(String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500), .syntax, line: 1, column: 151, contains: "nested too deeply")
        expectError("1..", .syntax, line: 1, column: 4, contains: "expected an expression")
    }

    func testNameErrors() {
        expectError("x = 1\ny = randm(2)", .name, line: 2, column: 5, contains: "did you mean 'randn'")
        expectError("r = {a: 1}; r.b", .name, line: 1, column: 14, contains: "has no attribute 'b'")
        expectError("zeros(2).nope()", .name, line: 1, column: 9, contains: "a tensor has no method 'nope'")
        expectError("help(\"zeross\")", .name, line: 1, column: 5, contains: "zeros")
    }

    func testTypeErrors() {
        expectError("x = 3\nx(1)", .type, line: 2, column: 2, contains: "a number is not a function")
        expectError("1 + \"a\"", .type, line: 1, column: 3, contains: "'+' does not apply to a number and a string")
        expectError("for x in 5 { }", .type, line: 1, column: 10, contains: "cannot loop over a number")
        expectError("xs = [1]; xs[\"a\"]", .type, line: 1, column: 14, contains: "an index must be an integer")
        expectError("a, b = 5", .type, line: 1, column: 6, contains: "cannot destructure a number")
        expectError("[1] @ [2]", .type, line: 1, column: 5, contains: "'@' multiplies matrices")
    }

    func testValueErrors() {
        expectError("xs = [1, 2]\nxs[5]", .value, line: 2, column: 4, contains: "index 5 is out of range for length 2")
        expectError("randn(2, 3) @ randn(2, 3)", .value, line: 1, column: 13, contains: "[2, 3] and [2, 3]")
        expectError("a, b = [1, 2, 3]", .value, line: 1, column: 6, contains: "3 values into 2 names")
        expectError("zeros(2, 3)[0, 0, 0]", .value, line: 1, column: 12, contains: "too many indices")
        expectError("assert(1 > 2, message: \"nope\")", .value, line: 1, column: 7, contains: "nope")
    }

    func testArgumentErrorsPointAtTheArgument() {
        expectError("conv2d(randn(1, 3, 4, 4), randn(2, 3, 3, 3), stride: \"a\")", .argument, line: 1, column: 54,
                    contains: "conv2d: argument 'stride' expects a number or a pair, got string \"a\"")
        expectError("zeros(2, bogus: 1)", .argument, line: 1, column: 6, contains: "unknown argument 'bogus'")
        expectError("full([2])", .argument, line: 1, column: 5, contains: "missing argument 'value'")
        expectError("len(1, 2)", .argument, line: 1, column: 4, contains: "at most 1 positional")
        expectError("fn f(a) { a }\nf(1, 2)", .argument, line: 2, column: 2, contains: "f: takes 1 argument")
        expectError("fn f(a) { a }\nf()", .argument, line: 2, column: 2, contains: "missing argument 'a'")
        expectError("randn(2).sum(axis: \"x\")", .argument, line: 1, column: 20, contains: "'axis'")
    }

    func testRuntimeErrors() {
        // On a big stack the call-depth limit speaks first, at the call.
        let e = BigStack.run { expectError("fn f(n) { f(n + 1) }\nf(0)", .runtime, line: 1, column: 12, contains: "more than 1000 nested calls") }
        XCTAssertNotNil(e)
        // On a small stack (the test's own thread) the stack guard stops it: an error, not a crash.
        do {
            _ = try value("fn g(n) { if n == 0 { 0 } else { 1 + g(n - 1) } }\ng(100000)")
            XCTFail("deep recursion should fail")
        } catch let error as ScriptError {
            XCTAssertEqual(error.kind, .runtime)
            XCTAssertTrue(error.message.contains("too deep"), error.message)
        } catch { XCTFail("\(error)") }
        expectError("error(\"custom\")", .runtime, line: 1, column: 6, contains: "custom")
    }

    func testErrorsInsideFunctionsAndInterpolationsPointThere() {
        expectError("fn f(x) {\n  x + \"s\"\n}\nf(1)", .type, line: 2, column: 5)
        expectError("x = \"value \\(1 + nope) here\"", .name, line: 1, column: 18, contains: "unknown name 'nope'")
    }

    func testRenderedErrorHasPositionLineAndCaret() throws {
        let e = expectError("x = 1\ny = x + foo", .name, line: 2, column: 9)
        XCTAssertEqual(e?.rendered, "test.cwb:2:9: name error: unknown name 'foo'\n    y = x + foo\n            ^")
    }

    /// Odd input must end in a ScriptError, never a crash.
    func testOddInputNeverCrashes() {
        let inputs = ["", ")", "]]", "}", "{", "fn", "fn (", "if", "else", "for in", "x[", "x[:::]", ".", "..", "1.e5", "\"\\(", "\"\\()\"",
                      "a.b.c.d", "-", "not", "@", "x = ", ", = 1", "1 = 1", "[1][2][3]", "zeros(-1)", "zeros(1e12, 1e12)", "range(1, 2, 0)",
                      "\"\\(\"\\(\"\\(1)\")\")\"", "t = zeros(2); t[1] = 3", "eye(1e9)", "tensor([[1], [2, 3]])", "0 ** -1", "(1..3).step",
                      "{a: 1, a: 2}", "linspace(0, 1, 0)", "randn(2)[0:1:0]", "while", "help(1)"]
        for input in inputs {
            do { _ = try value(input) } catch is ScriptError {} catch { XCTFail("\(input): non-script error \(error)") }
        }
    }
}
