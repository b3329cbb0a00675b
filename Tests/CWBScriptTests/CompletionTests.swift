import Foundation
import XCTest
@testable import CWBScript

final class CompletionTests: XCTestCase {
    func testNamesBuiltinsKeywordsAttributesCommandsAndPaths() throws {
        let interp = Interpreter(output: { _ in })
        try interp.run(SourceFile(name: "t", text: "weights = randn(2, 3)\nwidth = 3\ncfg = {lr: 1, layers: 2}"))
        XCTAssertEqual(Completion.complete(word: "wei", before: "", interpreter: interp).matches, ["weights"])
        XCTAssertEqual(Completion.complete(word: "wh", before: "x = ", interpreter: interp).matches, ["where", "while"])
        XCTAssertTrue(Completion.complete(word: "weights.sh", before: "", interpreter: interp).matches == ["weights.shape"])
        XCTAssertTrue(Completion.complete(word: "weights.me", before: "", interpreter: interp).matches.contains("weights.mean"))
        XCTAssertEqual(Completion.complete(word: "cfg.la", before: "", interpreter: interp).matches, ["cfg.layers"])
        XCTAssertEqual(Completion.complete(word: ":c", before: "", interpreter: interp).matches, [":cells"])
        XCTAssertEqual(Completion.complete(word: "ti", before: ":", interpreter: interp).matches, ["time"])

        let dir = try temporaryDirectory("complete")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Plots"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("Plots/loss.png").path, contents: Data())
        let r = Completion.complete(word: dir.path + "/Pl", before: "plot(h, to: \"", interpreter: interp)
        XCTAssertEqual(r.matches, [dir.path + "/Plots/"])
        XCTAssertTrue(r.isPath)
        XCTAssertEqual(Completion.complete(word: dir.path + "/Plots/l", before: "x = \"", interpreter: interp).matches, [dir.path + "/Plots/loss.png"])
    }
}
