import Foundation
import XCTest
import CWBCore
@testable import CWBImaging

/// Lab, PSNR, SSIM and colorfulness against values scikit-image computed on the same images
/// (Scripts/make_goldens.py).
final class ColourAndMetricTests: XCTestCase {
    struct Goldens: Decodable {
        struct Pair: Decodable {
            let truth, pred: String
            let width, height: Int
            let lab: [Double]
            let psnr, ssim, ssim_gaussian, colorfulness_truth, colorfulness_pred: Double
            let gray_baseline: [Int]
            let psnr_gray_baseline, ssim_gray_baseline: Double
        }
        struct LabToRGB: Decodable { let lab, rgb: [Double] }
        let images: [Pair]
        let lab2rgb: LabToRGB
    }

    func goldens() throws -> Goldens {
        try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: URL(fileURLWithPath: Fixture.path("metrics/goldens.json"))))
    }

    func testRGBToLabMatchesSkimage() throws {
        for pair in try goldens().images {
            let lab = LabImage(rgb: try RGBImage.load(Fixture.path("metrics/" + pair.truth)))
            let n = lab.pixelCount
            var worst = 0.0
            for i in 0..<n {
                worst = max(worst, abs(Double(lab.l[i]) - pair.lab[3 * i]),
                            abs(Double(lab.ab[i]) - pair.lab[3 * i + 1]), abs(Double(lab.ab[n + i]) - pair.lab[3 * i + 2]))
            }
            XCTAssertLessThan(worst, 1e-3, pair.truth)
        }
    }

    func testLabToRGBMatchesSkimageIncludingClipping() throws {
        let g = try goldens().lab2rgb
        for i in 0..<(g.lab.count / 3) {
            let (r, gg, b) = LabConversion.rgb(l: g.lab[3 * i], a: g.lab[3 * i + 1], b: g.lab[3 * i + 2])
            XCTAssertEqual(r, g.rgb[3 * i], accuracy: 1e-6)
            XCTAssertEqual(gg, g.rgb[3 * i + 1], accuracy: 1e-6)
            XCTAssertEqual(b, g.rgb[3 * i + 2], accuracy: 1e-6)
        }
    }

    func testMetricsMatchSkimage() throws {
        for pair in try goldens().images {
            let truth = try RGBImage.load(Fixture.path("metrics/" + pair.truth))
            let pred = try RGBImage.load(Fixture.path("metrics/" + pair.pred))
            XCTAssertEqual(try Metrics.psnr(truth, pred), pair.psnr, accuracy: 1e-4)
            XCTAssertEqual(try Metrics.ssim(truth, pred), pair.ssim, accuracy: 1e-4)
            XCTAssertEqual(try Metrics.ssim(truth, pred, variant: .gaussian11), pair.ssim_gaussian, accuracy: 1e-4)
            XCTAssertEqual(Metrics.colorfulness(truth), pair.colorfulness_truth, accuracy: 1e-6)
            XCTAssertEqual(Metrics.colorfulness(pred), pair.colorfulness_pred, accuracy: 1e-6)
            let baseline = Metrics.grayBaseline(of: truth)
            XCTAssertLessThanOrEqual(maxByteDifference(baseline.pixels, pair.gray_baseline.map { UInt8($0) }), 1)
            XCTAssertEqual(try Metrics.psnr(truth, baseline), pair.psnr_gray_baseline, accuracy: 0.05)
            XCTAssertEqual(try Metrics.ssim(truth, baseline), pair.ssim_gray_baseline, accuracy: 1e-3)
        }
    }

    func testReportShowsModelBesideGrayBaseline() throws {
        let pairs = try goldens().images
        let truths = try pairs.map { try RGBImage.load(Fixture.path("metrics/" + $0.truth)) }
        let preds = try pairs.map { try RGBImage.load(Fixture.path("metrics/" + $0.pred)) }
        let report = try Metrics.report(predictions: preds, truths: truths, names: pairs.map(\.truth))
        XCTAssertEqual(report.psnr.values.count, 3)
        for (i, pair) in pairs.enumerated() {
            XCTAssertEqual(report.psnr.values[i], pair.psnr, accuracy: 1e-4)
            XCTAssertEqual(report.baselinePSNR.values[i], pair.psnr_gray_baseline, accuracy: 0.05)
        }
        let sorted = pairs.map(\.ssim).sorted()
        XCTAssertEqual(report.ssim.median, sorted[1], accuracy: 1e-4)
        XCTAssertEqual(report.ssim.min, sorted[0], accuracy: 1e-4)
        XCTAssertLessThan(report.baselineColorfulness.max, 1.0, "gray baseline has no colour")
        XCTAssertTrue(report.description.contains("baseline"))
        XCTAssertThrowsError(try Metrics.report(predictions: Array(preds.prefix(2)), truths: truths))
    }

    func testMetricErrorsNameTheSizes() throws {
        let a = try RGBImage(width: 8, height: 8), b = try RGBImage(width: 9, height: 8)
        XCTAssertThrowsError(try Metrics.psnr(a, b)) { XCTAssertTrue("\($0)".contains("8x8 and 9x8")) }
        XCTAssertThrowsError(try Metrics.ssim(try RGBImage(width: 6, height: 6), try RGBImage(width: 6, height: 6)))
        XCTAssertEqual(try Metrics.psnr(a, a), .infinity)
        XCTAssertEqual(try Metrics.ssim(a, a), 1, accuracy: 1e-12)
    }

    func testOpenCVLabDecoding() throws {
        let l8: [UInt8] = [0, 255, 128], ab8: [UInt8] = [128, 128, 0, 255, 200, 60]
        let lab = try l8.withUnsafeBufferPointer { l in
            try ab8.withUnsafeBufferPointer { try LabImage(openCVL: l, ab8: $0, width: 3, height: 1) }
        }
        XCTAssertEqual(lab.l[1], 100, accuracy: 1e-5)
        XCTAssertEqual(lab.l[2], 128 * 100 / 255, accuracy: 1e-4)
        XCTAssertEqual(lab.ab, [0, -128, 72, 0, 127, -68])
    }

    func testTensorsRoundTrip() throws {
        let truth = try RGBImage.load(Fixture.path("metrics/truth_0.png"))
        let lab = LabImage(rgb: truth)
        let l = try LabTensors.lTensor([lab, lab]), ab = try LabTensors.abTensor([lab, lab])
        XCTAssertEqual(l.shape, [2, 1, 20, 24])
        XCTAssertEqual(ab.shape, [2, 2, 20, 24])
        XCTAssertEqual(l.pointer[5], lab.l[5] / 50 - 1, accuracy: 1e-6)
        XCTAssertEqual(ab.pointer[2 * 480 + 480 + 7], lab.ab[480 + 7] / 110, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(l.max().scalars[0], 1)
        let back = try LabTensors.rgbImage(l: l, ab: ab, index: 1)
        XCTAssertLessThanOrEqual(maxByteDifference(back.pixels, truth.pixels), 1)
        XCTAssertThrowsError(try LabTensors.rgbImage(l: l, ab: Tensor.zeros([2, 3, 20, 24])))
        XCTAssertThrowsError(try LabTensors.labImage(l: l, ab: ab, index: 2))
        XCTAssertThrowsError(try LabTensors.lTensor([lab, try lab.cropped(PixelRect(x: 0, y: 0, width: 4, height: 4))]))
    }

    func testBGRAndLuma() throws {
        let img = try RGBImage(width: 1, height: 1, pixels: [200, 100, 50])
        XCTAssertEqual(img.swappedRB().pixels, [50, 100, 200])
        XCTAssertEqual(img.swappedRB().swappedRB(), img)
        XCTAssertEqual(img.luma(), [124])   // 0.299*200 + 0.587*100 + 0.114*50 = 124.25
    }
}
