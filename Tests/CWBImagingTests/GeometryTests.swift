import XCTest
import CWBCore
@testable import CWBImaging

final class GeometryTests: XCTestCase {
    func ramp(_ w: Int, _ h: Int) throws -> RGBImage {
        var p: [UInt8] = []
        for y in 0..<h { for x in 0..<w { p += [UInt8(x * 10 % 256), UInt8(y * 20 % 256), UInt8((x + y) % 256)] } }
        return try RGBImage(width: w, height: h, pixels: p)
    }

    func testAreaShrinkAveragesBlocks() throws {
        let img = try ramp(8, 6)
        let half = try img.resized(width: 4, height: 3)
        for y in 0..<3 {
            for x in 0..<4 {
                for c in 0..<3 {
                    var s = 0
                    for dy in 0..<2 { for dx in 0..<2 { s += Int(img.pixels[3 * ((2 * y + dy) * 8 + 2 * x + dx) + c]) } }
                    XCTAssertEqual(Int(half.pixels[3 * (y * 4 + x) + c]), Int((Double(s) / 4).rounded()))
                }
            }
        }
    }

    func testResizeKeepsUniformImagesAndEnlargesSmoothly() throws {
        let flat = try RGBImage(width: 7, height: 5, red: 10, green: 200, blue: 77)
        for (w, h) in [(3, 2), (15, 11), (7, 12), (2, 9)] {
            let r = try flat.resized(width: w, height: h)
            XCTAssertEqual(r, try RGBImage(width: w, height: h, red: 10, green: 200, blue: 77))
        }
        // Bilinear 2× of a 2-pixel row: 0,255 → 0, 64, 191, 255 (centres aligned, edges clamped).
        let two = try RGBImage(width: 2, height: 1, gray: [0, 255])
        XCTAssertEqual(try two.resized(width: 4, height: 1).luma(), [0, 64, 191, 255])
        XCTAssertThrowsError(try flat.resized(width: 0, height: 3))
    }

    func testCropsAndFlips() throws {
        let img = try ramp(6, 4)
        let c = try img.cropped(PixelRect(x: 1, y: 2, width: 3, height: 2))
        XCTAssertEqual(c.width, 3)
        XCTAssertTrue(c.pixel(x: 0, y: 0) == img.pixel(x: 1, y: 2))
        XCTAssertThrowsError(try img.cropped(PixelRect(x: 4, y: 0, width: 3, height: 1))) {
            XCTAssertTrue("\($0)".contains("6x4"))
        }
        let cc = try img.centerCropped(width: 2, height: 2)
        XCTAssertTrue(cc.pixel(x: 0, y: 0) == img.pixel(x: 2, y: 1))
        XCTAssertTrue(img.flippedHorizontally().pixel(x: 0, y: 1) == img.pixel(x: 5, y: 1))
        XCTAssertTrue(img.flippedVertically().pixel(x: 2, y: 0) == img.pixel(x: 2, y: 3))
        XCTAssertEqual(img.flippedHorizontally().flippedHorizontally(), img)
        let lab = LabImage(rgb: img)
        XCTAssertEqual(try lab.cropped(PixelRect(x: 1, y: 2, width: 3, height: 2)), LabImage(rgb: c))
        XCTAssertEqual(lab.flippedHorizontally(), LabImage(rgb: img.flippedHorizontally()))
        let s = try img.resized(shorterSide: 2)
        XCTAssertEqual([s.width, s.height], [3, 2])
    }

    func testAugmentationIsSeededAndSized() throws {
        let img = try ramp(40, 30)
        let aug = try Augmentation(size: 16, minScale: 0.5, maxScale: 1.0)
        let a = try aug.apply(img, generator: RandomGenerator(seed: 5))
        let b = try aug.apply(img, generator: RandomGenerator(seed: 5))
        XCTAssertEqual(a, b)
        XCTAssertEqual([a.width, a.height], [16, 16])
        var distinct = Set<[UInt8]>()
        let g = RandomGenerator(seed: 1)
        for _ in 0..<8 { distinct.insert(try aug.apply(img, generator: g).pixels) }
        XCTAssertGreaterThan(distinct.count, 4)
        let ev = try Augmentation.evaluation(img, size: 15)
        XCTAssertEqual(ev, try img.centerCropped(width: 30, height: 30).resized(width: 15, height: 15))
        XCTAssertThrowsError(try Augmentation(size: 8, minScale: 0.9, maxScale: 0.5))
    }
}
