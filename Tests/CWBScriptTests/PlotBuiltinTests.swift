import Foundation
import XCTest
@testable import CWBScript

/// plot / hist / scatter from the language: PNGs of the requested size, text plots inline,
/// artifacts recorded for notebook reports.
final class PlotBuiltinTests: XCTestCase {
    func requireGnuplot() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot") else {
            throw XCTSkip("gnuplot is not installed (apt-get install gnuplot-nox)")
        }
    }

    func testPNGPlotsFromScript() throws {
        try requireGnuplot()
        let dir = try temporaryDirectory("plotb")
        var out = ""
        let interp = Interpreter(output: { out += $0 })
        let p = dir.path
        let result = try interp.run(SourceFile(name: "t", text: """
            h = {train: [1, 0.6, 0.45, 0.4], val: [1.1, 0.8, 0.7, 0.69]}
            a = plot(h, title: "loss", xlabel: "epoch", smooth: 2, log: true, to: "\(p)/it's a plot.png", size: [640, 400])
            b = hist(randn(500), bins: 25, to: "\(p)/hist.png", size: [300, 200])
            c = scatter([1, 2, 3], tensor([2, 1, 3]), to: "\(p)/sc.png")
            [a.width, b.height, c.path]
            """))
        XCTAssertEqual(result.value.repr, "[640, 200, \"\(p)/sc.png\"]")
        XCTAssertEqual(pngSize("\(p)/it's a plot.png").map { [$0.width, $0.height] }, [640, 400])
        XCTAssertEqual(pngSize("\(p)/hist.png").map { [$0.width, $0.height] }, [300, 200])
        XCTAssertEqual(pngSize("\(p)/sc.png").map { [$0.width, $0.height] }, [800, 500])
        XCTAssertEqual(interp.takeArtifacts(), ["\(p)/it's a plot.png", "\(p)/hist.png", "\(p)/sc.png"])
    }

    func testTextPlotWithoutTo() throws {
        try requireGnuplot()
        let (v, out) = try runScript("plot([3, 2, 1.5, 1.2], title: \"my curve\")")
        XCTAssertEqual(v.repr, "nil")
        XCTAssertTrue(out.contains("my curve"), out)
        XCTAssertGreaterThan(out.split(separator: "\n").count, 10)
    }

    func testPlotArgumentErrors() {
        expectError("plot(\"abc\")", .argument, line: 1, column: 5, contains: "plot: argument 'data' expects numbers")
        expectError("hist([1, 2], bins: 0)", .argument, line: 1, column: 5, contains: "'bins'")
        expectError("scatter([1, 2], [1])", .value, line: 1, column: 8, contains: "x has 2 values but y has 1")
        expectError("plot([1, 2], smooth: 0)", .argument, line: 1, column: 5, contains: "'smooth'")
    }
}
