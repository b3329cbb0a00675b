import XCTest
@testable import CWBData

final class NpyTests: XCTestCase {
    func testAllHeaderVersionsRead() throws {
        for (file, version) in [("v1.npy", 1), ("v2.npy", 2), ("v3.npy", 3)] {
            let a = try NpyArray(path: Fixture.path("npy/" + file))
            XCTAssertEqual(a.header.version, version, file)
            XCTAssertEqual(a.shape, [3, 4, 5], file)
            XCTAssertEqual(a.dtype, .uint8)
            XCTAssertEqual(a.itemCount, 3)
            XCTAssertEqual(a.itemSize, 20)
            let item = try a.withItem(2) { Array($0) }
            XCTAssertEqual(item, (0..<20).map { pattern(40 + $0) }, file)
            XCTAssertEqual(try a.withItem(0) { $0[3] }, pattern(3))
            XCTAssertThrowsError(try a.withItem(3) { _ in }) { XCTAssertTrue("\($0)".contains("out of range")) }
        }
        let f = try NpyArray(path: Fixture.path("npy/float32.npy"))
        XCTAssertEqual(f.dtype, .float32)
        XCTAssertEqual(try f.withItem(1) { $0.load(fromByteOffset: 4, as: Float.self) }, Float(pattern(4)))
    }

    func testMalformedFilesGiveClearErrors() throws {
        let cases: [(String, String)] = [
            ("bad_magic.npy", "not a .npy file"), ("bad_version.npy", "version 4.0 is not supported"),
            ("header_cut.npy", "header declares"), ("no_shape.npy", "no 'shape'"),
            ("fortran.npy", "Fortran-order"), ("float64.npy", "'<f8' is not supported"),
            ("short_data.npy", "needs 100 bytes of data, the file holds 50"),
            ("garbled_dict.npy", "unknown value 'Maybe'"), ("not_a_dict.npy", "malformed .npy header"),
        ]
        for (file, phrase) in cases {
            let path = Fixture.path("npy/" + file)
            XCTAssertThrowsError(try NpyArray(path: path), file) { error in
                XCTAssertTrue("\(error)".contains(path) && "\(error)".contains(phrase), "\(file): \(error)")
            }
        }
        XCTAssertThrowsError(try NpyArray(path: "/nonexistent.npy")) { XCTAssertTrue("\($0)".contains("cannot open")) }
    }

    func testHeaderEncodeParsesBack() throws {
        for shape in [[7], [2, 3, 4], [0, 5]] {
            let bytes = NpyHeader.encode(dtype: .uint8, shape: shape)
            XCTAssertEqual(bytes.count % 64, 0)
            let h = try bytes.withUnsafeBytes { try NpyHeader.parse($0, name: "x") }
            XCTAssertEqual(h.shape, shape)
            XCTAssertEqual(h.dataOffset, bytes.count)
        }
    }

    /// The study's layout: L (N,H,W) and ab split over two files, OpenCV Lab encoding.
    func testStudyArraysDecodeToLab() throws {
        let src = try NpyLabSource(lPath: Fixture.path("npy/study_L.npy"),
                                   abPaths: [Fixture.path("npy/study_ab1.npy"), Fixture.path("npy/study_ab2.npy")])
        XCTAssertEqual(src.count, 4)
        XCTAssertEqual([src.width, src.height], [5, 6])
        XCTAssertEqual(src.name(at: 3), "study_L.npy[3]")
        for index in [0, 3] {   // 3 lives in the second ab file
            let lab = try src.lab(at: index)
            let n = 30
            for p in [0, 7, 29] {
                XCTAssertEqual(lab.l[p], Float(pattern(index * n + p)) * 100 / 255, accuracy: 1e-4)
                XCTAssertEqual(lab.ab[p], Float(pattern(2 * (index * n + p))) - 128)
                XCTAssertEqual(lab.ab[n + p], Float(pattern(2 * (index * n + p) + 1)) - 128)
            }
        }
        XCTAssertThrowsError(try NpyLabSource(lPath: Fixture.path("npy/study_L.npy"), abPaths: [Fixture.path("npy/study_ab1.npy")])) {
            XCTAssertTrue("\($0)".contains("holds 4 L images but the ab files hold 3"))
        }
        XCTAssertThrowsError(try NpyLabSource(lPath: Fixture.path("npy/wrong_rank_L.npy"), abPaths: [Fixture.path("npy/study_ab1.npy")])) {
            XCTAssertTrue("\($0)".contains("(N, H, W)"))
        }
        XCTAssertThrowsError(try NpyLabSource(lPath: Fixture.path("npy/study_L.npy"), abPaths: [Fixture.path("npy/v1.npy")])) {
            XCTAssertTrue("\($0)".contains("ab must be uint8 of shape"))
        }
    }
}

final class NpyLoaderTests: XCTestCase {
    /// The study's arrays feed the batch loader like any other source.
    func testNpySourceFeedsBatches() throws {
        let src = try NpyLabSource(lPath: Fixture.path("npy/study_L.npy"),
                                   abPaths: [Fixture.path("npy/study_ab1.npy"), Fixture.path("npy/study_ab2.npy")])
        let loader = try BatchLoader(source: src, batchSize: 4, size: 5, shuffle: false)
        guard let b = try loader.epoch(0).next() else { return XCTFail("no batch") }
        XCTAssertEqual(b.l.shape, [4, 1, 5, 5])
        XCTAssertEqual(b.ab.shape, [4, 2, 5, 5])
        XCTAssertEqual(b.names.last, "study_L.npy[3]")
        // 6×5 samples are centre-cropped to 5×5 (rows 0..<5): pixel (0, 0) of sample 3 is flat index 90.
        XCTAssertEqual(b.l.pointer[3 * 25], Float(pattern(90)) * 100 / 255 / 50 - 1, accuracy: 1e-5)
        XCTAssertEqual(b.ab.pointer[3 * 50], (Float(pattern(180)) - 128) / 110, accuracy: 1e-5)
    }
}
