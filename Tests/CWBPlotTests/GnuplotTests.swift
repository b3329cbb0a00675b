import CWBPlot
import Foundation
import XCTest

final class GnuplotTests: XCTestCase {
    func tempDir(_ name: String) throws -> URL {
        // A folder with a space and a quote: paths like that must work.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cwb plot's \(name) \(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func gnuplot() throws -> Gnuplot {
        do { return try Gnuplot() } catch { throw XCTSkip("gnuplot is not installed here: \(error)") }
    }

    func pngSize(_ url: URL) -> (Int, Int)? {
        guard let d = FileManager.default.contents(atPath: url.path), d.count > 24 else { return nil }
        let b = [UInt8](d)
        guard b[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], String(decoding: b[12..<16], as: UTF8.self) == "IHDR" else { return nil }
        func be(_ i: Int) -> Int { b[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }

    let history = PlotSpec(kind: .line, series: [
        PlotSeries(title: "train", y: [1.0, 0.7, 0.5, 0.42, 0.4, 0.35]),
        PlotSeries(title: "val", y: [1.1, 0.8, 0.66, 0.6, 0.61, 0.58]),
    ], title: "unet loss", xlabel: "epoch", ylabel: "L1", logY: true, smooth: 2)

    func testLinePlotPNGHasTheRequestedSize() throws {
        let g = try gnuplot()
        let dir = try tempDir("line")
        let out = dir.appendingPathComponent("loss \"quoted\".png")
        try g.render(history, to: .png(path: out.path, width: 640, height: 360))
        XCTAssertEqual(pngSize(out).map { [$0.0, $0.1] }, [640, 360])
        // No temporary file is left beside it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["loss \"quoted\".png"])
        // Rendering again replaces the file.
        try g.render(history, to: .png(path: out.path, width: 320, height: 200))
        XCTAssertEqual(pngSize(out).map { [$0.0, $0.1] }, [320, 200])
    }

    func testHistogramAndScatterPNGs() throws {
        let g = try gnuplot()
        let dir = try tempDir("hist")
        let values = (0..<500).map { sin(Double($0)) * 3 + 20 }
        let hist = dir.appendingPathComponent("psnr.png")
        try g.render(PlotSpec(kind: .histogram(bins: 20), series: [PlotSeries(title: "psnr", y: values)], title: "PSNR"),
                     to: .png(path: hist.path, width: 500, height: 300))
        XCTAssertEqual(pngSize(hist).map { [$0.0, $0.1] }, [500, 300])
        let scatter = dir.appendingPathComponent("sub dir/scatter.png")
        try g.render(PlotSpec(kind: .scatter, series: [PlotSeries(title: "pts", x: [1, 2, 3], y: [3, 1, 2])]),
                     to: .png(path: scatter.path, width: 300, height: 300))
        XCTAssertEqual(pngSize(scatter).map { [$0.0, $0.1] }, [300, 300])
    }

    func testDumbTextContainsTheTitleAndKeys() throws {
        let text = try gnuplot().render(history, to: .text(width: 80, height: 25))
        XCTAssertTrue(text.contains("unet loss"), text)
        XCTAssertTrue(text.contains("train"), text)
        XCTAssertTrue(text.contains("val (avg 2)"), text)
        XCTAssertGreaterThan(text.split(separator: "\n").count, 15)
    }

    func testMissingGnuplotNamesThePackage() {
        XCTAssertThrowsError(try Gnuplot(searchPath: "/nonexistent-dir")) { error in
            XCTAssertTrue("\(error)".contains("gnuplot-nox"), "\(error)")
        }
    }

    func testScriptQuotingAndDatablocks() throws {
        XCTAssertEqual(GnuplotScript.quote("it's"), "'it''s'")
        let script = try GnuplotScript.make(PlotSpec(series: [PlotSeries(title: "a'b", y: [1, 2])], title: "t"),
                                            terminal: .png(path: "x.png", width: 10, height: 10), file: "/tmp/o'k.png")
        XCTAssertTrue(script.contains("set output '/tmp/o''k.png'"), script)
        XCTAssertTrue(script.contains("$d1 << EOD\n1.0 1.0\n2.0 2.0\nEOD"), script)
        XCTAssertTrue(script.contains("title 'a''b'"), script)
        XCTAssertThrowsError(try GnuplotScript.make(PlotSpec(series: []), terminal: .text(width: 80, height: 25), file: nil))
        XCTAssertThrowsError(try GnuplotScript.make(PlotSpec(series: [PlotSeries(title: "x", x: [1], y: [1, 2])]),
                                                    terminal: .text(width: 80, height: 25), file: nil))
    }

    func testGnuplotErrorsAreReported() throws {
        XCTAssertThrowsError(try gnuplot().run(script: "plot $nosuchblock using 1:2\n")) { error in
            XCTAssertTrue("\(error)".contains("gnuplot failed"), "\(error)")
        }
    }

    func testHistogramBinsAndMovingAverage() throws {
        let h = try PlotMath.histogram([0, 1, 2, 3, 4, 4], bins: 2)
        XCTAssertEqual(h.counts, [2, 4])
        XCTAssertEqual(h.centers, [1, 3])
        XCTAssertEqual(PlotMath.movingAverage([2, 4, 6, 8], window: 2), [2, 3, 5, 7])
        XCTAssertThrowsError(try PlotMath.histogram([.nan], bins: 3))
    }
}
