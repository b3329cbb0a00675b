import XCTest
@testable import CWBCore

/// The tiled transpose behind `permute` of the last two axes and `GEMM.runTransposed`: every
/// element in its place for matrices with and without ragged edges, tiny and wide, on one
/// core or several.
final class TransposeTests: XCTestCase {
    func testMatrixTransposeMovesEveryElement() {
        let saved = Parallel.maxThreads
        defer { Parallel.maxThreads = saved }
        let shapes = [(1, 1), (3, 5), (8, 8), (17, 70), (64, 8192), (130, 67), (9, 1000), (1000, 9)]
        for threads in [1, max(2, saved)] {
            Parallel.maxThreads = threads
            for (rows, cols) in shapes {
                let n = rows * cols
                let src = UnsafeMutablePointer<Float>.allocate(capacity: n), dst = UnsafeMutablePointer<Float>.allocate(capacity: n)
                defer { src.deallocate(); dst.deallocate() }
                for i in 0..<n { src[i] = Float(i) }
                dst.update(repeating: -1, count: n)
                Transpose.matrix(src, rows: rows, cols: cols, into: dst)
                var wrong = 0
                for r in 0..<rows { for c in 0..<cols where dst[c * rows + r] != src[r * cols + c] { wrong += 1 } }
                XCTAssertEqual(wrong, 0, "\(rows)×\(cols) on \(threads) threads")
            }
        }
    }

    func testPermuteOfTheLastTwoAxesTransposesEachMatrix() throws {
        let x = randomTensor([3, 13, 21], seed: 5)
        let y = try x.permute([0, 2, 1])
        XCTAssertEqual(y.shape, [3, 21, 13])
        for b in 0..<3 { for i in 0..<13 { for j in 0..<21 {
            XCTAssertEqual(y.pointer[(b * 21 + j) * 13 + i], x.pointer[(b * 13 + i) * 21 + j])
        } } }
        XCTAssertEqual(try Tensor.zeros([2, 0, 3]).permute([0, 2, 1]).shape, [2, 3, 0])
        XCTAssertEqual(try randomTensor([40, 24], seed: 6).t().t().scalars, randomTensor([40, 24], seed: 6).scalars)
    }
}
