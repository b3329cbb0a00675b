import CWBCore
import XCTest
@testable import CWBScript

final class InterpreterTests: XCTestCase {
    func testArithmeticAndOperators() throws {
        XCTAssertEqual(try number("1 + 2 * 3 - 4 / 2"), 5)
        XCTAssertEqual(try number("2 ** 10"), 1024)
        XCTAssertEqual(try number("-7 % 3"), 2)          // floored, as in Python
        XCTAssertEqual(try number("7 % 3"), 1)
        XCTAssertEqual(try number("-2 ** 2"), -4)
        XCTAssertTrue(try value("1 < 2 and not (3 <= 2) or false").isTruthy)
        XCTAssertTrue(try value("\"a\" + \"b\" == \"ab\"").isTruthy)
        XCTAssertEqual(try value("\"ab\" * 3").description, "ababab")
        XCTAssertEqual(try value("[1, 2] + [3] * 2").repr, "[1, 2, 3, 3]")
        XCTAssertTrue(try value("[1, {a: 2}] == [1, {a: 2}]").isTruthy)
        XCTAssertFalse(try value("nil == false").isTruthy)
    }

    func testShortCircuit() throws {
        // The right side would fail if evaluated.
        XCTAssertFalse(try value("false and undefined_name").isTruthy)
        XCTAssertTrue(try value("true or undefined_name").isTruthy)
    }

    func testStringInterpolation() throws {
        XCTAssertEqual(try value(#"r = {psnr: 22.5}; "PSNR \(r.psnr) dB, \(1 + 1) models, \("nested")""#).description,
                       "PSNR 22.5 dB, 2 models, nested")
        XCTAssertEqual(try value(#""loss \(tensor([0.25, 0.75]).mean())""#).description, "loss 0.5")
    }

    func testListsRecordsRangesAndIndexing() throws {
        XCTAssertEqual(try value("xs = [10, 20, 30, 40]; xs[-1]").repr, "40")
        XCTAssertEqual(try value("xs = [10, 20, 30, 40]; xs[1:3]").repr, "[20, 30]")
        XCTAssertEqual(try value("xs = [10, 20, 30, 40]; xs[::2]").repr, "[10, 30]")
        XCTAssertEqual(try value("\"hello\"[1:4]").repr, "\"ell\"")
        XCTAssertEqual(try value("r = {a: 1, b: {c: 2}}; r.b.c + r[\"a\"]").repr, "3")
        XCTAssertEqual(try value("len(1..5)").repr, "5")
        XCTAssertEqual(try value("len(1..<5)").repr, "4")
        XCTAssertEqual(try value("(0..10)[3]").repr, "3")
    }

    func testAssignmentIntoListsAndRecords() throws {
        XCTAssertEqual(try value("xs = [1, 2, 3]; xs[1] = 20; xs").repr, "[1, 20, 3]")
        XCTAssertEqual(try value("r = {a: {b: 1}}; r.a.b = 5; r.c = 6; r").repr, "{a: {b: 5}, c: 6}")
        XCTAssertEqual(try value("r = {}; r[\"k\"] = 1; r").repr, "{k: 1}")
        XCTAssertEqual(try value("x = 1; x += 2; x *= 3; x -= 1; x /= 2; x").repr, "4")
    }

    func testDestructuring() throws {
        XCTAssertEqual(try value("a, b = [1, 2]; b, a = [a, b]; [a, b]").repr, "[2, 1]")
        XCTAssertEqual(try value("fn two() { [3, 4] }; p, q = two(); p * q").repr, "12")
    }

    func testIfIsAnExpression() throws {
        XCTAssertEqual(try value("fn lr_at(epoch) { if epoch > 20 { 1e-4 } else { 2e-4 } }; lr_at(30)").repr, "0.0001")
        XCTAssertEqual(try value("x = 5; if x < 0 { \"neg\" } else if x == 0 { \"zero\" } else { \"pos\" }").repr, "\"pos\"")
        XCTAssertEqual(try value("if false { 1 }").repr, "nil")
        XCTAssertEqual(try value("x = if true {\n 1\n}\nelse {\n 2\n}\nx").repr, "1")
    }

    func testLoopsBreakContinue() throws {
        let (_, out) = try runScript("for e in 1..3 { print(e) }")
        XCTAssertEqual(out, "1\n2\n3\n")
        XCTAssertEqual(try value("""
            total = 0
            for i in 0..<100 {
              if i % 2 == 0 { continue }
              if i > 9 { break }
              total += i
            }
            total
            """).repr, "25")
        XCTAssertEqual(try value("n = 1; while n < 100 { n = n * 3 }; n").repr, "243")
        XCTAssertEqual(try value("s = \"\"; for k, v in {a: 1, b: 2} { s = s + k + str(v) }; s").repr, "\"a1b2\"")
        XCTAssertEqual(try value("n = 0; for row in zeros(4, 2) { n += row.shape[0] }; n").repr, "8")
    }

    func testFunctionsClosuresRecursionDefaults() throws {
        XCTAssertEqual(try value("fn fact(n) { if n <= 1 { 1 } else { n * fact(n - 1) } }; fact(10)").repr, "3628800")
        XCTAssertEqual(try value("fn adder(k) { fn(x) { x + k } }; add3 = adder(3); add3(4)").repr, "7")
        XCTAssertEqual(try value("fn f(a, b: 10) { a + b }; [f(1), f(1, 2), f(b: 5, a: 1)]").repr, "[11, 3, 6]")
        XCTAssertEqual(try value("fn first_big(xs) { for x in xs { if x > 2 { return x } }; nil }; first_big([1, 5, 7])").repr, "5")
        // Assignment in a function is local: the global keeps its value.
        XCTAssertEqual(try value("x = 1; fn g() { x = 2; x }; g() + x").repr, "3")
        XCTAssertEqual(try value("map([1, 2, 3], fn(v) { v * v })").repr, "[1, 4, 9]")
        XCTAssertEqual(try value("filter(1..6, fn(v) { v % 2 == 0 })").repr, "[2, 4, 6]")
        XCTAssertEqual(try value("sort([3, 1, 2])").repr, "[1, 2, 3]")
        XCTAssertEqual(try value("sort([\"bb\", \"a\"], by: len)").repr, "[\"a\", \"bb\"]")
    }

    func testMethodsAreBuiltinsWithTheReceiverFirst() throws {
        XCTAssertEqual(try value("[1, 2].append(3)").repr, "[1, 2, 3]")
        XCTAssertEqual(try value("[3, 4].len()").repr, "2")
        XCTAssertEqual(try value("r = {f: fn(x) { x + 1 }}; r.f(1)").repr, "2")
    }

    func testPrintAndHelp() throws {
        let (_, out) = try runScript("print(\"a\", 1, [\"b\"], sep: \"|\"); help(\"zeros\"); help(\"for\")")
        XCTAssertTrue(out.hasPrefix("a|1|[\"b\"]\n"), out)
        XCTAssertTrue(out.contains("zeros(shape...: dims, requires_grad: false)"), out)
        XCTAssertTrue(out.contains("example: zeros(2, 3)"), out)
        XCTAssertTrue(out.contains("for x in sequence"), out)
    }

    func testEveryBuiltinHasHelpWithAnExample() {
        let registry = BuiltinRegistry.standard()
        XCTAssertGreaterThan(registry.names.count, 60)
        for b in registry.builtins.values {
            XCTAssertFalse(b.summary.isEmpty, b.name)
            XCTAssertFalse(b.example.isEmpty, b.name)
            XCTAssertTrue(b.signature.hasPrefix(b.name + "("), b.signature)
        }
    }

    func testResultVisibility() throws {
        let interp = Interpreter(output: { _ in })
        XCTAssertTrue(try interp.run(SourceFile(name: "t", text: "1 + 1")).shouldShow)
        XCTAssertFalse(try interp.run(SourceFile(name: "t", text: "1 + 1;")).shouldShow)
        XCTAssertFalse(try interp.run(SourceFile(name: "t", text: "x = 1")).shouldShow)
        XCTAssertFalse(try interp.run(SourceFile(name: "t", text: "print(1)")).shouldShow)
        // Globals persist across runs.
        XCTAssertEqual(try interp.run(SourceFile(name: "t", text: "x + 1")).value.repr, "2")
    }

    func testStopRequestInterruptsLoops() {
        StopRequest.request()
        defer { StopRequest.clear() }
        XCTAssertThrowsError(try value("while true { 1 }")) { error in
            XCTAssertEqual((error as? ScriptError)?.kind, .interrupted)
        }
    }

    /// The seam for library objects: an adapter gets attributes, methods, calls and operators.
    final class FakeLoss: ScriptCallable, ScriptArithmetic {
        let terms: [(Double, String)]
        init(_ terms: [(Double, String)]) { self.terms = terms }
        var typeName: String { "loss" }
        var description: String { terms.map { "\(formatNumber($0.0))·\($0.1)" }.joined(separator: " + ") }
        var attributeNames: [String] { ["terms"] }
        func attribute(_ name: String) throws -> Value? { name == "terms" ? .number(Double(terms.count)) : nil }
        func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value { .number(Double(args.positional.count)) }
        func binary(_ op: String, _ other: Value, selfOnLeft: Bool) throws -> Value? {
            switch (op, other) {
            case let ("+", .object(o as FakeLoss)): return .object(FakeLoss(selfOnLeft ? terms + o.terms : o.terms + terms))
            case let ("*", .number(k)): return .object(FakeLoss(terms.map { (k * $0.0, $0.1) }))
            default: return nil
            }
        }
    }

    func testLibraryObjectsBindThroughScriptObject() throws {
        let registry = BuiltinRegistry.standard()
        registry.register("l1()", domain: "nn", summary: "L1 loss", example: "l1()") { _, _ in .object(FakeLoss([(1, "l1")])) }
        registry.register("perceptual(net)", domain: "nn", summary: "perceptual", example: "perceptual(\"vgg\")") { a, _ in
            .object(FakeLoss([(1, try a.string("net"))]))
        }
        let interp = Interpreter(registry: registry, output: { _ in })
        let v = try interp.run(SourceFile(name: "t", text: "loss = l1() + 0.005 * perceptual(\"vgg19\"); loss")).value
        XCTAssertEqual(v.repr, "1·l1 + 0.005·vgg19")
        XCTAssertEqual(v.typeName, "loss")
        XCTAssertEqual(try interp.run(SourceFile(name: "t", text: "loss.terms")).value.repr, "2")
        XCTAssertEqual(try interp.run(SourceFile(name: "t", text: "loss(1, 2)")).value.repr, "2")
        XCTAssertThrowsError(try interp.run(SourceFile(name: "t", text: "loss - 1"))) { e in
            XCTAssertEqual((e as? ScriptError)?.kind, .type)
        }
    }
}
