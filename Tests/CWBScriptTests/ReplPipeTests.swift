import Foundation
import XCTest
@testable import CWBScript

/// The REPL driven through a pipe: what a user types, line by line.
final class ReplPipeTests: XCTestCase {
    func testAutoPrintCommandsAndErrorsThatDoNotEndTheSession() throws {
        let dir = try temporaryDirectory("repl")
        try "# %% One\na = 10\n# %% Two\na * 2\n".write(to: dir.appendingPathComponent("nb.cwb"), atomically: true, encoding: .utf8)
        let input = """
            x = 2
            x * 21
            x * 21;
            y = undefined_thing + 1
            fn twice(v) {
              v * 2
            }
            twice(x)
            :type randn(2, 3)
            :type x
            :vars
            :help zeros
            :time 1 + 1
            :load nb.cwb
            :cells
            :run next
            :run next
            a
            :reset
            x
            :bogus
            print("still alive")
            :quit
            print("after quit")
            """
        let r = try runCWB([], input: input + "\n", directory: dir)
        XCTAssertEqual(r.status, 0)
        let out = r.stdout
        XCTAssertTrue(out.hasPrefix("42\n"), out)                       // auto-print, and ';' silences the second
        XCTAssertEqual(out.components(separatedBy: "42\n").count, 2, out)
        XCTAssertTrue(r.stderr.contains("<stdin>:4:5: name error: unknown name 'undefined_thing'"), r.stderr)
        XCTAssertTrue(out.contains("\n4\n"), out)                       // twice(x), after a multi-line fn
        XCTAssertTrue(out.contains("tensor [2, 3] float32\nnumber\n"), out)
        XCTAssertTrue(out.contains("twice  function  fn twice(v)"), out)
        XCTAssertTrue(out.contains("x      number    2"), out)
        XCTAssertTrue(out.contains("example: zeros(2, 3)"), out)
        XCTAssertTrue(out.contains("2\ntime: "), out)
        XCTAssertTrue(out.contains("loaded 2 cells"), out)
        XCTAssertTrue(out.contains("  1  One  [code, line 2]  ← next"), out)
        XCTAssertTrue(out.contains("── [2] Two"), out)
        XCTAssertTrue(out.contains("\n20\n"), out)
        XCTAssertTrue(out.contains("(all variables forgotten)"), out)
        XCTAssertTrue(r.stderr.contains("unknown name 'x'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("unknown command ':bogus'"), r.stderr)
        XCTAssertTrue(out.contains("still alive"), out)
        XCTAssertFalse(out.contains("after quit"), out)
    }

    func testEndOfInputLeavesCleanly() throws {
        let r = try runCWB([], input: "1 + 1")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "2\n")
    }

    /// An outer product of two million-long vectors (4 TB) is an error naming the op; the
    /// session goes on.
    func testResultLargerThanMemoryIsAnErrorAndTheSessionGoesOn() {
        var out = "", err = ""
        let session = ReplSession(interpreter: Interpreter(output: { out += $0 }), errorOutput: { err += $0 })
        XCTAssertEqual(session.handle("a = ones(1000000, 1)"), .ok)
        XCTAssertEqual(session.handle("c = a + transpose(a, 0, 1)"), .failed)
        XCTAssertTrue(err.contains("add: a result of shape [1000000, 1000000] would take 3.6 TiB"), err)
        XCTAssertEqual(session.handle("zeros(100000, 100000, 100)"), .failed)
        XCTAssertTrue(err.contains("zeros: a result of shape [100000, 100000, 100]"), err)
        XCTAssertEqual(session.handle("full([100000, 100000, 100], 1)"), .failed)
        XCTAssertTrue(err.contains("full: a result of shape [100000, 100000, 100]"), err)
        XCTAssertEqual(session.handle("print(a.shape)"), .ok)
        XCTAssertEqual(out, "[1000000, 1]\n")
    }

    func testSessionInProcess() {
        var out = "", err = ""
        let session = ReplSession(interpreter: Interpreter(output: { out += $0 }), errorOutput: { err += $0 })
        XCTAssertEqual(session.handle("z = [1, 2]"), .ok)
        XCTAssertEqual(session.handle("z[5]"), .failed)
        XCTAssertTrue(err.contains("<stdin>:2:3: value error: index 5 is out of range for length 2"), err)
        XCTAssertEqual(session.handle("len(z)"), .ok)
        XCTAssertEqual(out, "2\n")
        XCTAssertEqual(session.handle(":quit"), .quit)
    }
}
