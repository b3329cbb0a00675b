import Foundation
import XCTest
@testable import CWBScript

final class NotebookTests: XCTestCase {
    static let sample = """
        # A script before any cell marker is cell 1.
        base = 2
        # %% [markdown] About
        # This notebook *squares* numbers.
        # %% Squares
        xs = map(1..4, fn(x) { x ** base })
        print("squares:", xs)
        # %% Plot
        plot({train: [1, 0.6, 0.4], val: [1.2, 0.8, 0.7]}, title: "loss", to: "plots/loss curve.png", size: [400, 300])
        sum(xs)
        # %% Broken
        y = sum(xs)
        z = y + missing_name
        # %% Never reached
        print("not run")
        """

    func testCellsSplitOnPercentMarkers() {
        let nb = Notebook(name: "nb.cwb", text: NotebookTests.sample)
        XCTAssertEqual(nb.cells.map(\.index), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(nb.cells.map(\.title), ["", "About", "Squares", "Plot", "Broken", "Never reached"])
        XCTAssertEqual(nb.cells.map(\.isMarkdown), [false, true, false, false, false, false])
        XCTAssertEqual(nb.cells[1].prose, "This notebook *squares* numbers.")
        XCTAssertEqual(nb.cells[2].firstLine, 6)
        XCTAssertFalse(Notebook.hasCells("x = 1\ny = 2"))
    }

    func testRunnerStopsAtTheFirstErrorWithCellLineAndColumn() throws {
        let dir = try temporaryDirectory("nb")
        let cwd = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(dir.path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        var echoed = ""
        let nb = Notebook(name: "nb.cwb", text: NotebookTests.sample)
        let runner = NotebookRunner(notebook: nb, interpreter: Interpreter(output: { _ in }), echo: { echoed += $0 })
        let results = runner.run()
        XCTAssertEqual(results.map(\.cell.index), [1, 2, 3, 4, 5])
        XCTAssertEqual(results[2].output, "squares: [1, 4, 9, 16]\n")
        XCTAssertEqual(results[3].output, "30\n")   // the cell's last value is shown
        let error = try XCTUnwrap(results[4].error)
        XCTAssertEqual(error.location?.line, 13)
        XCTAssertEqual(error.location?.column, 9)
        XCTAssertTrue(echoed.contains("error in cell 5 'Broken' of nb.cwb:\nnb.cwb:13:9: name error: unknown name 'missing_name'"), echoed)
        XCTAssertFalse(echoed.contains("not run"))
        let report = NotebookRunner.report(nb, results, reportPath: dir.appendingPathComponent("out/report.md").path)
        XCTAssertTrue(report.contains("![loss curve.png](../plots/loss%20curve.png)"), report)
        XCTAssertTrue(report.contains("This notebook *squares* numbers."), report)
        XCTAssertTrue(report.contains("stopped by an error"), report)
        XCTAssertEqual(pngSize(dir.appendingPathComponent("plots/loss curve.png").path).map { [$0.width, $0.height] }, [400, 300])
    }

    func testCwbRunWritesAReportAndExitsNonZeroOnError() throws {
        let dir = try temporaryDirectory("cwbrun")
        try NotebookTests.sample.write(to: dir.appendingPathComponent("nb.cwb"), atomically: true, encoding: .utf8)
        let failed = try runCWB(["run", "nb.cwb", "--report", "reports/nb.md"], directory: dir)
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stdout.contains("── [3] Squares"), failed.stdout)
        XCTAssertTrue(failed.stdout.contains("squares: [1, 4, 9, 16]"), failed.stdout)
        XCTAssertTrue(failed.stdout.contains("nb.cwb:13:9: name error: unknown name 'missing_name'"), failed.stdout)
        XCTAssertTrue(failed.stderr.contains("stopped at cell 5 'Broken' (nb.cwb:13:9)"), failed.stderr)
        let report = try String(contentsOf: dir.appendingPathComponent("reports/nb.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("![loss curve.png](../plots/loss%20curve.png)"), report)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("plots/loss curve.png").path))

        // Only the cells that work: exit 0.
        let ok = try runCWB(["run", "nb.cwb", "--cells", "1..4"], directory: dir)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("30"), ok.stdout)
        XCTAssertFalse(ok.stdout.contains("Broken"), ok.stdout)

        let usage = try runCWB(["run", "nb.cwb", "--cells", "x"], directory: dir)
        XCTAssertEqual(usage.status, 2)
        let missing = try runCWB(["run", "nope.cwb"], directory: dir)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("nope.cwb"), missing.stderr)
    }

    func testCwbScriptAndSnippetModes() throws {
        let dir = try temporaryDirectory("modes")
        try "x = 6\nprint(x * 7)\n".write(to: dir.appendingPathComponent("s.cwb"), atomically: true, encoding: .utf8)
        let script = try runCWB(["s.cwb"], directory: dir)
        XCTAssertEqual(script.status, 0)
        XCTAssertEqual(script.stdout, "42\n")
        let snippet = try runCWB(["-e", "x = [1, 2]; len(x) + 1"])
        XCTAssertEqual(snippet.status, 0)
        XCTAssertEqual(snippet.stdout, "3\n")
        let bad = try runCWB(["-e", "1 +"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("<-e>:1:4: syntax error"), bad.stderr)
        // `cwb bench ARGS` hands ARGS to the benchmark suite (which answers about them).
        let bench = try runCWB(["bench", "--no-such-suite"])
        XCTAssertTrue((bench.stdout + bench.stderr).contains("bench"), bench.stdout + bench.stderr)
        XCTAssertFalse((bench.stdout + bench.stderr).contains("usage: cwb   "), "cwb's own usage means bench did not forward")
    }
}
