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
    /// peak of live bytes plus the slack; resized blocks are usable to their new end.
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
            XCTAssertLessThanOrEqual(blocks.usage.mapped, peakLive + peakLive / LargeBlocks.slackDivisor + 8 * mib,
                                     "round \(round)")
            for (p, size) in zip(live, sizes) { blocks.release(p, size) }
        }
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
