import XCTest
import CWBCore
import CWBImaging
import CWBNN
@testable import CWBTraining

final class ColorizeTests: XCTestCase {
    /// A 101×67 photo-like gradient with colour.
    func sampleImage() throws -> RGBImage {
        let w = 101, h = 67
        var px = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w {
            let i = (y * w + x) * 3
            px[i] = UInt8(40 + 200 * x / w); px[i + 1] = UInt8(30 + 180 * y / h); px[i + 2] = UInt8((x * y) % 200 + 30)
        }}
        return try RGBImage(width: w, height: h, pixels: px)
    }

    func testColorizeKeepsSizeAndTheInputsOwnLightness() throws {
        manualSeed(1)
        // Modest chroma (|ab| ≤ 22), so the colours stay in the sRGB gamut and lab2rgb's
        // clipping does not move L; then only 8-bit rounding separates the two L channels.
        final class Mild: Module {
            let conv: Conv2d
            init(_ c: Conv2d) { conv = c; super.init(); child("conv", c) }
            override func forward(_ x: Tensor) throws -> Tensor { try conv(x).tanh() * 0.2 }
        }
        let model = Mild(try Conv2d(1, 2, kernel: 3, padding: 1))
        let image = try sampleImage()
        let out = try colorize(model, image, workingSize: 32, multiple: 8)
        XCTAssertEqual(out.width, image.width); XCTAssertEqual(out.height, image.height)
        let lin = LabImage(rgb: image).l, lout = LabImage(rgb: out).l
        var worst: Float = 0, sum: Float = 0
        for i in 0..<lin.count { let d = abs(lin[i] - lout[i]); worst = max(worst, d); sum += d }
        // Only gamut clipping and 8-bit rounding may move L.
        XCTAssertLessThan(sum / Float(lin.count), 0.3, "mean |ΔL|")
        XCTAssertLessThan(worst, 1.5, "max |ΔL|")
        XCTAssertTrue(model.isTraining, "colorize restores the model's mode")
    }

    func testWorkingDimensionsKeepAspectAndMultiple() {
        let (w, h) = workingDimensions(width: 4000, height: 3000, shorterSide: 256, multiple: 32)
        XCTAssertEqual(h, 256); XCTAssertEqual(w, 352)
        XCTAssertEqual(w % 32, 0)
        let (w2, h2) = workingDimensions(width: 10, height: 10, shorterSide: 5, multiple: 32)
        XCTAssertEqual(w2, 32); XCTAssertEqual(h2, 32)
    }

    func testEvaluateReportsTheGrayBaselineBeside() throws {
        // A model that predicts zero chroma scores exactly the gray baseline.
        final class Gray: Module {
            override func forward(_ x: Tensor) throws -> Tensor { Tensor.zeros([x.shape[0], 2, x.shape[2], x.shape[3]]) }
        }
        let image = try sampleImage()
        let r = try evaluate(Gray(), truths: [image, image.flippedHorizontally()], workingSize: 32, multiple: 8)
        XCTAssertEqual(r.psnr.values.count, 2)
        XCTAssertEqual(r.psnr.mean, r.baselinePSNR.mean, accuracy: 0.05)
        XCTAssertEqual(r.colorfulness.mean, r.baselineColorfulness.mean, accuracy: 0.5)
        XCTAssertGreaterThan(r.truthColorfulness.mean, r.colorfulness.mean)
    }
}
