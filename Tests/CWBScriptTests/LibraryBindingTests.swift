import CWBCore
import Foundation
import XCTest
@testable import CWBScript

/// The nn / data / training builtins driven through the language, on a few embedded photos.
final class LibraryBindingTests: XCTestCase {
    /// Datasets are addressed from the repository root.
    var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    func testTrainEvaluateColorizeAndSaveThroughTheLanguage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cwb-bind-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (v, out) = try runScript("""
            seed(3)
            data = images("\(root)/Datasets/landscapes/val", size: 16)
            few, rest = split(data, 0.1, seed: 1)
            g = unet(base: 4, depth: 4)
            loss = l1() + 0.1 * colour()
            h = fit(g, few, loss: loss, opt: adam(lr: 1e-3), epochs: 2, batch: 2, val: few,
                    schedule: step_lr(1, gamma: 0.5))
            r = evaluate(g, few)
            img = colorize(g, few[0], size: 16, to: "\(dir)/one.png")
            save_weights(g, "\(dir)/g.safetensors", size: 16)
            samples(g, few, n: 2, to: "\(dir)/sheet.png")
            [h.epochs, len(h.loss), len(h.val_psnr), r.count, r.gray.psnr.mean > 0, img.width == few[0].width,
             type(g), type(loss), type(h), type(r), len(few) + len(rest) == len(data)]
            """)
        XCTAssertEqual(v.repr, "[2, 2, 2, 3, true, true, \"model\", \"loss\", \"history\", \"report\", true]", out)
        XCTAssertTrue(out.contains("epoch 2/2"), out)
        for f in ["one.png", "g.safetensors", "sheet.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), f)
        }
        // The saved model loads back into the same architecture.
        XCTAssertEqual(try value("g = unet(base: 4, depth: 4); load_weights(g, \"\(dir)/g.safetensors\"); type(g)").repr, "\"model\"")
    }

    func testModelsLossesAndOptimizersPrintUsefully() throws {
        XCTAssertEqual(try number("parameters(unet())"), 20_564_162)
        let (_, out) = try runScript("print(Sequential(Conv2d(1, 8, kernel: 3, padding: 1), ReLU()))\nprint(l1() + 0.005 * perceptual(\"vgg19\"))\nprint(radam(lr: 0.01))")
        XCTAssertTrue(out.contains("Conv2d(1→8, 3×3"), out)
        XCTAssertTrue(out.contains("loss l1 + 0.005·perceptual"), out)
        XCTAssertTrue(out.contains("radam(lr: 0.01"), out)
    }

    func testLibraryMistakesAreLocatedErrors() {
        expectError("g = unet(base: 4, depth: 4)\nfit(g, 3)", .argument, line: 2, column: 8, contains: "'data' expects a dataset")
        expectError("unet(base: 4, depth: 4)(zeros(1, 1, 10, 10))", .value, line: 1, column: 24, contains: "multiples of 16")
        expectError("patchgan(norm: \"group\")", .value, line: 1, column: 16, contains: "norm must be")
        expectError("l1() + 3", .type, line: 1, column: 6)
        expectError("images(\"/nonexistent/folder\")", .runtime, line: 1, column: 7)
    }
}
