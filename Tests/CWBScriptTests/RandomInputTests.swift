import XCTest
@testable import CWBScript

/// Random token soup must end in a value or a ScriptError — never a crash or another error.
final class RandomInputTests: XCTestCase {
    func testRandomProgramsNeverCrash() {
        let vocabulary = ["x", "y", "f", "1", "2", "0", "-1", "2.5", "\"s\"", "\"a\\(x)b\"", "+", "-", "*", "/", "%", "**", "@",
                          "==", "<", "and", "or", "not", "(", ")", "[", "]", "{", "}", ",", ":", ";", ".", "..", "..<", "=",
                          "+=", "\n", "fn", "if", "else", "for", "in", "break", "continue", "return", "true", "nil",
                          "zeros(2, 2)", "randn(3)", "len", "print", "shape", "sum", "T", "t[0, :]", "[1, 2]", "{a: 1}"]
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
        var outcomes = [0, 0]
        for _ in 0..<800 {
            let length = 1 + next(14)
            let program = "x = 1\ny = [1, 2]\nt = ones(2, 3)\nfn f(a) { a }\n" +
                (0..<length).map { _ in vocabulary[next(vocabulary.count)] }.joined(separator: " ")
            do {
                _ = try Interpreter(output: { _ in }).run(SourceFile(name: "fuzz", text: program))
                outcomes[0] += 1
            } catch let e as ScriptError {
                XCTAssertNotNil(e.location, "an error without a position for:\n\(program)\n\(e.rendered)")
                outcomes[1] += 1
            } catch {
                XCTFail("not a ScriptError for:\n\(program)\n\(error)")
            }
        }
        // Both kinds of outcome occur, so the generator exercises the interpreter, not only the parser.
        XCTAssertGreaterThan(outcomes[0], 20)
        XCTAssertGreaterThan(outcomes[1], 20)
    }
}
