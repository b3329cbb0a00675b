import XCTest
@testable import CWBImaging

final class CodecTests: XCTestCase {
    /// Every PNG colour type, bit depth and interlacing decodes to the expected bytes.
    func testEveryPNGVariantDecodes() throws {
        let cases = ["rgb8", "rgb16", "gray8", "gray16", "gray1", "gray2", "gray4", "graya8", "graya16",
                     "rgba8", "rgba16", "palette8", "palette4", "palette8_trns", "rgb8_interlaced", "rgb16_interlaced",
                     "gray2_interlaced", "rgba16_interlaced", "palette4_interlaced"]
        for name in cases {
            let img = try RGBImage.load(Fixture.path("png/\(name).png"))
            XCTAssertEqual(img.width, 13, name)
            XCTAssertEqual(img.height, 9, name)
            let expected = try Fixture.bytes("png/\(name).expected.rgb")
            // 16-bit → 8-bit may round either way; 16-bit alpha goes through libpng's linear
            // composition, so allow a little more there.
            let tolerance = name.contains("16") ? (name.contains("a16") ? 2 : 1) : 0
            XCTAssertLessThanOrEqual(maxByteDifference(img.pixels, expected), tolerance, name)
        }
    }

    /// JPEG baseline (4:4:4, 4:2:2, 4:2:0), progressive and gray match Pillow's libjpeg-turbo decode.
    func testJPEGVariantsDecode() throws {
        for name in ["baseline444", "baseline422", "baseline420", "progressive", "gray"] {
            let img = try RGBImage.load(Fixture.path("jpeg/\(name).jpg"))
            XCTAssertEqual([img.width, img.height], [37, 29], name)
            let expected = try Fixture.bytes("jpeg/\(name).expected.rgb")
            XCTAssertLessThanOrEqual(maxByteDifference(img.pixels, expected), 2, name)
            if name == "gray" {
                for i in 0..<img.pixelCount { XCTAssertEqual(img.pixels[3 * i], img.pixels[3 * i + 2]) }
            }
        }
    }

    func testPNGRoundTripIsExact() throws {
        let img = try RGBImage.load(Fixture.path("png/rgb8.png"))
        let dir = try temporaryFolder()
        try img.save(dir + "/out.png")
        XCTAssertEqual(try RGBImage.load(dir + "/out.png"), img)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.png"], "no temp file left")
    }

    func testJPEGRoundTripIsClose() throws {
        let source = try RGBImage(width: 37, height: 29, pixels: Fixture.bytes("jpeg/source.rgb"))
        let dir = try temporaryFolder()
        try source.save(dir + "/out.jpg", quality: 95)
        let back = try RGBImage.load(dir + "/out.jpg")
        XCTAssertEqual([back.width, back.height], [37, 29])
        XCTAssertGreaterThan(try Metrics.psnr(source, back), 35)
        // Higher quality is closer.
        let low = try RGBImage.decode(source.encode(format: .jpeg, quality: 20))
        XCTAssertLessThan(try Metrics.psnr(source, low), try Metrics.psnr(source, back))
    }

    /// Each broken file gives an error naming the file and what is wrong — never a picture.
    func testCorruptFilesGiveErrors() throws {
        let cases: [(String, String)] = [
            ("truncated.png", "PNG"), ("flipped_bytes.png", "corrupt PNG"), ("truncated.jpg", "Premature end"),
            ("flipped_bytes.jpg", "bad JPEG"), ("wrong_magic.png", "not a PNG or JPEG"),
            ("empty.jpg", "empty file"), ("huge.png", "exceeds the limit"), ("huge.jpg", "exceeds the limit"),
        ]
        for (file, phrase) in cases {
            let path = Fixture.path("corrupt/\(file)")
            XCTAssertThrowsError(try RGBImage.load(path), file) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(path), "\(file): \(message)")
                XCTAssertTrue(message.contains(phrase), "\(file): \(message)")
            }
        }
        XCTAssertThrowsError(try RGBImage.load("/nonexistent/cwb.png")) { XCTAssertTrue("\($0)".contains("cannot read")) }
    }

    func testTruncatedJPEGCanBeAllowedExplicitly() throws {
        let img = try RGBImage.load(Fixture.path("corrupt/truncated.jpg"), options: ImageReadOptions(allowTruncatedJPEG: true))
        XCTAssertEqual([img.width, img.height], [64, 48])
    }

    func testPixelLimitIsConfigurable() throws {
        XCTAssertThrowsError(try RGBImage.load(Fixture.path("png/rgb8.png"), options: ImageReadOptions(maxPixels: 100)))
        XCTAssertThrowsError(try RGBImage.load(Fixture.path("jpeg/baseline420.jpg"), options: ImageReadOptions(maxPixels: 100)))
        XCTAssertNoThrow(try RGBImage.load(Fixture.path("png/rgb8.png"), options: ImageReadOptions(maxPixels: 117)))
    }

    func testSaveNeedsAKnownExtension() throws {
        let img = try RGBImage(width: 2, height: 2, red: 9)
        XCTAssertThrowsError(try img.save(temporaryFolder() + "/x.bmp")) { XCTAssertTrue("\($0)".contains("x.bmp")) }
    }
}
