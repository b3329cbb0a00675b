import XCTest
import CWBCore
import CWBImaging
@testable import CWBData

final class SourceAndLoaderTests: XCTestCase {
    func testImageFolderListsSortedImages() throws {
        let src = try ImageFolderSource(Fixture.path("folder"))
        XCTAssertEqual(src.files, ["colour0.png", "colour1.png", "colour2.png", "gray.png"])
        guard case .rgb(let img) = try src.sample(at: 1) else { return XCTFail("expected RGB") }
        XCTAssertEqual([img.width, img.height], [24, 20])
        XCTAssertThrowsError(try src.sample(at: 4))
        XCTAssertThrowsError(try ImageFolderSource(Fixture.path("npy"))) { XCTAssertTrue("\($0)".contains("no .png")) }
        XCTAssertThrowsError(try ImageFolderSource("/nonexistent/dir")) { XCTAssertTrue("\($0)".contains("no such folder")) }
    }

    func testPairedFoldersMatchByName() throws {
        let src = try PairedFolderSource(Fixture.path("paired"))
        XCTAssertEqual(src.count, 3)
        XCTAssertEqual(src.pairs.map(\.color), ["a.png", "b.jpg", "c.png"])
        XCTAssertEqual(src.unmatched.sorted(), ["color/color_only.png", "gray/gray_only.png"])
        // L from the gray file, ab from the colour file.
        let lab = try src.lab(at: 0)
        let gray = try RGBImage.load(Fixture.path("paired/gray/a.png"))
        let color = try RGBImage.load(Fixture.path("paired/color/a.png"))
        XCTAssertEqual(lab.l, LabImage(rgb: gray).l)
        XCTAssertEqual(lab.ab, LabImage(rgb: color).ab)
    }

    func testSplitsAreSeededDisjointAndComplete() throws {
        let (t, v) = try Splits.split(count: 100, validationFraction: 0.15, seed: 3)
        XCTAssertEqual(v.count, 15)
        XCTAssertEqual(Set(t).union(v), Set(0..<100))
        XCTAssertTrue(Set(t).isDisjoint(with: v))
        XCTAssertEqual(try Splits.split(count: 100, validationFraction: 0.15, seed: 3).validation, v)
        XCTAssertNotEqual(try Splits.split(count: 100, validationFraction: 0.15, seed: 4).validation, v)
        XCTAssertThrowsError(try Splits.split(count: 10, validationFraction: 1.5, seed: 0))
        let src = try ImageFolderSource(Fixture.path("folder"))
        let (train, val) = try src.split(validationFraction: 0.25, seed: 1)
        XCTAssertEqual(train.count + val.count, 4)
        XCTAssertEqual(val.count, 1)
    }

    func testGrayTargetsAreFoundAndCanBeSkipped() throws {
        let src = try ImageFolderSource(Fixture.path("folder"))
        let scan = try GrayTargetScan.scan(src)
        XCTAssertEqual(scan.grayNames, ["gray.png"])
        XCTAssertEqual(scan.colorfulness[3], 0, accuracy: 1e-9)
        XCTAssertGreaterThan(scan.colorfulness[0], 10)
        XCTAssertTrue(scan.description.contains("1 of 4 targets are gray"))
        let kept = try src.skipping(scan.grayIndices)
        XCTAssertEqual((0..<kept.count).map { kept.name(at: $0) }, ["colour0.png", "colour1.png", "colour2.png"])
    }

    func testLoaderBatchesAreShapedSeededAndCoverTheEpoch() throws {
        let src = try ImageFolderSource(Fixture.path("folder"))
        let aug = try Augmentation(size: 8)
        let loader = try BatchLoader(source: src, batchSize: 3, size: 8, augmentation: aug, seed: 9)
        XCTAssertEqual(loader.batchesPerEpoch, 2)
        func run(_ epoch: Int) throws -> [Batch] {
            let it = loader.epoch(epoch)
            var out: [Batch] = []
            while let b = try it.next() { out.append(b) }
            return out
        }
        let e0 = try run(0)
        XCTAssertEqual(e0.map { $0.l.shape }, [[3, 1, 8, 8], [1, 1, 8, 8]])
        XCTAssertEqual(e0[0].ab.shape, [3, 2, 8, 8])
        XCTAssertEqual(Set(e0.flatMap(\.indices)), Set(0..<4))
        XCTAssertEqual(e0.flatMap(\.names).count, 4)
        XCTAssertLessThanOrEqual(e0[0].l.max().scalars[0], 1)
        XCTAssertGreaterThanOrEqual(e0[0].l.min().scalars[0], -1)
        // Same seed and epoch → same batches, bit for bit; another epoch → another order.
        let again = try run(0)
        XCTAssertEqual(again.flatMap(\.indices), e0.flatMap(\.indices))
        XCTAssertEqual(again[0].ab.scalars, e0[0].ab.scalars)
        let orders = Set((1...6).map { loader.order(epoch: $0) })
        XCTAssertGreaterThan(orders.count, 1)
        // Parallel workers give the same result as one.
        let par = try BatchLoader(source: src, batchSize: 3, size: 8, augmentation: aug, seed: 9, workers: 2)
        XCTAssertEqual(try par.epoch(0).next()?.l.scalars, e0[0].l.scalars)
        // dropLast
        XCTAssertEqual(try BatchLoader(source: src, batchSize: 3, size: 8, dropLast: true).epoch(0).count, 1)
        XCTAssertThrowsError(try BatchLoader(source: src, batchSize: 0, size: 8))
        XCTAssertThrowsError(try BatchLoader(source: src, batchSize: 2, size: 16, augmentation: aug))
    }

    func testValidationLoaderMatchesCentreCrop() throws {
        let src = try ImageFolderSource(Fixture.path("folder"))
        let loader = try BatchLoader(source: src, batchSize: 4, size: 10, shuffle: false)
        guard let b = try loader.epoch(0).next() else { return XCTFail("no batch") }
        XCTAssertEqual(b.indices, [0, 1, 2, 3])
        let expected = try LabTensors.lTensor([src.lab(at: 2, size: 10)])
        XCTAssertEqual(Array(b.l.scalars[200..<300]), expected.scalars)
    }

    func testLoaderReportsABrokenSampleByName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cwb-data-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Fixture.path("folder/colour0.png"), toPath: dir + "/a.png")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: dir + "/b.png"))
        let loader = try BatchLoader(source: try ImageFolderSource(dir), batchSize: 1, size: 8, shuffle: false)
        let it = loader.epoch(0)
        XCTAssertNotNil(try it.next())
        XCTAssertThrowsError(try it.next()) { XCTAssertTrue("\($0)".contains("b.png")) }
        XCTAssertNil(try it.next())
    }

    func testAbandonedEpochStopsItsThread() throws {
        let src = try ImageFolderSource(Fixture.path("folder"))
        let loader = try BatchLoader(source: src, batchSize: 1, size: 8, prefetch: 1)
        for _ in 0..<20 { _ = try loader.epoch(0).next() }   // each iterator is dropped after one batch
    }
}
