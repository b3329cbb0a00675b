import XCTest
@testable import CWBCore

/// The cache behind tensors of 1 MiB and more (Storage → LargeBlocks).
final class LargeBlocksTests: XCTestCase {
    let mib = 1 << 20

    /// A released block is what the next request of the same size gets back, whole.
    func testSameSizeReusesTheReleasedBlock() throws {
        let blocks = LargeBlocks()
        let bytes = 3 * mib + 5
        let a = try XCTUnwrap(blocks.allocate(bytes))
        blocks.release(a, bytes)
        let b = try XCTUnwrap(blocks.allocate(bytes))
        XCTAssertEqual(a, b)
        b.storeBytes(of: 7, toByteOffset: bytes - 1, as: UInt8.self)   // writable to the last byte
        XCTAssertEqual(blocks.usage.mapped, LargeBlocks.blockSize(bytes))
        XCTAssertEqual(blocks.usage.cached, 0)
        blocks.release(b, bytes)
        XCTAssertEqual(blocks.usage.cached, LargeBlocks.blockSize(bytes))
    }

    /// Rounds of allocations whose sizes change from round to round never map more than the
    /// peak of live bytes plus the slack (1/16 of it, at least `minimumSlack`); resized blocks
    /// are usable to their new end.
    func testMappedStaysWithinThePeakOfLiveBytes() throws {
        let blocks = LargeBlocks()
        var peakLive = 0
        for round in 0..<60 {
            let sizes = (0..<3).map { (1 + (round * 7 + $0 * 3) % 8) * mib + round * 4096 }
            let live = try sizes.map { size -> UnsafeMutableRawPointer in
                let p = try XCTUnwrap(blocks.allocate(size))
                p.storeBytes(of: 1, toByteOffset: size - 1, as: UInt8.self)
                return p
            }
            peakLive = max(peakLive, sizes.reduce(0) { $0 + LargeBlocks.blockSize($1) })
            let slack = max(peakLive / LargeBlocks.slackDivisor, LargeBlocks.minimumSlack)
            XCTAssertLessThanOrEqual(blocks.usage.mapped, peakLive + slack + 8 * mib, "round \(round)")
            for (p, size) in zip(live, sizes) { blocks.release(p, size) }
        }
    }

    /// A small step that asks for many distinct sizes one after another (as a batch-1 inference
    /// does) keeps a block of each once the minimum slack holds them all: from the second
    /// round on every request is a hit, with nothing mapped or resized.
    func testSmallStepsWithManySizesReuseEveryBlock() throws {
        let blocks = LargeBlocks()
        let sizes = (1...7).map { $0 * mib + 123 }
        XCTAssertLessThan(sizes.reduce(0, +), sizes.max()! + LargeBlocks.minimumSlack)
        var previous: [UnsafeMutableRawPointer] = []
        for round in 0..<4 {
            var given: [UnsafeMutableRawPointer] = []
            for size in sizes {
                let p = try XCTUnwrap(blocks.allocate(size))
                given.append(p)
                blocks.release(p, size)
            }
            if round > 0 { XCTAssertEqual(given, previous, "round \(round)") }
            previous = given
        }
        XCTAssertEqual(blocks.usage.mapped, sizes.reduce(0) { $0 + LargeBlocks.blockSize($1) })
    }

    /// Releasing the cache unmaps every cached block and keeps the live ones.
    func testReleaseCachedKeepsLiveBlocks() throws {
        let blocks = LargeBlocks()
        let live = try XCTUnwrap(blocks.allocate(2 * mib))
        let cached = try XCTUnwrap(blocks.allocate(3 * mib))
        blocks.release(cached, 3 * mib)
        blocks.releaseCached()
        XCTAssertEqual(blocks.usage.cached, 0)
        XCTAssertEqual(blocks.usage.mapped, 2 * mib)
        live.storeBytes(of: 1, toByteOffset: 2 * mib - 1, as: UInt8.self)
        blocks.release(live, 2 * mib)
    }

    /// Tensors allocated and freed on several threads at once keep every block whole.
    func testConcurrentUse() {
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<50 {
                let s = Storage(uninitializedCount: mib / 4 * (1 + (worker + i) % 3))
                s.pointer.update(repeating: Float(worker), count: s.count)
                XCTAssertEqual(s.pointer[s.count - 1], Float(worker))
                XCTAssertEqual(s.pointer[0], Float(worker))
            }
        }
    }
}
