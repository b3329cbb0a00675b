import XCTest
@testable import CWBCore

/// Bad input raises a TensorError that names the shapes or the argument — never a crash.
final class ErrorTests: XCTestCase {
    func assertError(_ expected: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Any) {
        do {
            _ = try body()
            XCTFail("expected an error mentioning \(expected)", file: file, line: line)
        } catch let error as TensorError {
            for part in expected {
                XCTAssertTrue(error.message.contains(part), "'\(error.message)' should mention '\(part)'", file: file, line: line)
            }
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
        }
    }

    func testConvChannelMismatchNamesBothShapes() {
        assertError(["conv2d", "3 channels", "[4, 2, 3, 3]", "[1, 3, 8, 8]"]) {
            try conv2d(Tensor.zeros([1, 3, 8, 8]), Tensor.zeros([4, 2, 3, 3]))
        }
        assertError(["conv_transpose2d", "[2, 3, 4, 4]"]) { try convTranspose2d(Tensor.zeros([1, 5, 4, 4]), Tensor.zeros([2, 3, 4, 4])) }
        assertError(["conv2d", "N×C×H×W", "[3, 8, 8]"]) { try conv2d(Tensor.zeros([3, 8, 8]), Tensor.zeros([4, 3, 3, 3])) }
        assertError(["conv2d", "does not fit"]) { try conv2d(Tensor.zeros([1, 1, 2, 2]), Tensor.zeros([1, 1, 5, 5])) }
        assertError(["stride"]) { try conv2d(Tensor.zeros([1, 1, 4, 4]), Tensor.zeros([1, 1, 3, 3]), stride: (0, 1)) }
        assertError(["bias", "[3]"]) { try conv2d(Tensor.zeros([1, 1, 4, 4]), Tensor.zeros([2, 1, 3, 3]), bias: Tensor.zeros([3])) }
        assertError(["output_padding"]) {
            try convTranspose2d(Tensor.zeros([1, 1, 4, 4]), Tensor.zeros([1, 1, 3, 3]), stride: (2, 2), outputPadding: (2, 2))
        }
    }

    func testMatmulOfIncompatibleShapes() {
        assertError(["matmul", "[2, 3]", "[4, 5]"]) { try Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5])) }
        assertError(["matmul", "[2, 3, 4]", "[3, 4, 5]"]) { try Tensor.zeros([2, 3, 4]).matmul(Tensor.zeros([3, 4, 5])) }
        assertError(["matmul", "[4]"]) { try Tensor.zeros([4]).matmul(Tensor.zeros([4])) }
    }

    func testReshapeToWrongSize() {
        assertError(["reshape", "[2, 3]", "6 elements", "[4, 2]"]) { try Tensor.zeros([2, 3]).reshape([4, 2]) }
        assertError(["reshape", "[4, -1]"]) { try Tensor.zeros([2, 3]).reshape([4, -1]) }
        assertError(["reshape", "one -1"]) { try Tensor.zeros([2, 3]).reshape([-1, -1]) }
    }

    func testBroadcastAndShapeOps() {
        assertError(["add", "[2, 3]", "[4]", "dimension 1"]) { try Tensor.zeros([2, 3]) + Tensor.zeros([4]) }
        assertError(["permute", "[0, 0]"]) { try Tensor.zeros([2, 3]).permute([0, 0]) }
        assertError(["sum", "axis 3"]) { try Tensor.zeros([2, 3]).sum(axes: [3]) }
        assertError(["slice", "axis 1"]) { try Tensor.zeros([2, 3]).slice(axis: 1, start: 0, end: 5) }
        assertError(["concat", "[2, 3]", "[2, 4]"]) { try Tensor.concat([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])], axis: 0) }
        assertError(["split", "add up"]) { try Tensor.zeros([2, 3]).split([1, 1], axis: 1) }
        assertError(["expand", "[3, 2]"]) { try Tensor.zeros([3, 2]).expand([3, 4]) }
        assertError(["values do not fill", "[2, 2]"]) { try Tensor(shape: [2, 2], scalars: [1, 2, 3]) }
        assertError(["item", "[2]"]) { try Tensor.zeros([2]).item() }
    }

    /// Ops whose result can outgrow their inputs check it against the machine's memory before
    /// asking for any (a failed allocation would end the process). A small limit stands in for
    /// the machine, so each case is cheap; the message names the op, the shape and the limit.
    func testResultsLargerThanMemoryAreErrors() throws {
        let saved = AllocationLimit.bytes
        defer { AllocationLimit.bytes = saved }
        AllocationLimit.bytes = 1 << 20   // 1 MiB: 262 144 floats
        let column = Tensor.zeros([1024, 1]), row = Tensor.zeros([1, 1024])
        assertError(["add", "[1024, 1024]", "4.0 MiB", "1.0 MiB"]) { try column + row }
        assertError(["matmul", "[1024, 1024]"]) { try column.matmul(row) }
        assertError(["expand", "[1024, 1024]"]) { try column.expand([1024, 1024]) }
        assertError(["pad", "[1024, 1025]"]) { try row.pad([(0, 1023), (0, 1)]) }
        assertError(["concat", "[1, 300000]"]) { try Tensor.concat((0..<3).map { _ in Tensor.zeros([1, 100_000]) }, axis: 1) }
        assertError(["upsample", "[1, 1, 1024, 1024]"]) { try upsample(Tensor.zeros([1, 1, 4, 4]), scale: 256) }
        assertError(["upsample", "too large"]) { try upsample(Tensor.zeros([1, 1, 4, 4]), scale: Int.max / 2) }
        assertError(["conv_transpose2d", "[1, 1, 3001, 3001]"]) {
            try convTranspose2d(Tensor.zeros([1, 1, 4, 4]), Tensor.zeros([1, 1, 1, 1]), stride: (1000, 1000))
        }
        assertError(["conv2d", "[1, 4096, 9, 9]"]) { try conv2d(Tensor.zeros([1, 1, 9, 9]), Tensor.zeros([4096, 1, 1, 1])) }
        assertError(["arange", "[1000000]"]) { try Tensor.arange(0, 1_000_000) }
        assertError(["arange", "too many"]) { try Tensor.arange(0, 1e30) }
        assertError(["outer", "more bytes than can be counted"]) { try AllocationLimit.check([1 << 40, 1 << 40], "outer") }
        XCTAssertNoThrow(try Tensor.zeros([256, 1]) + Tensor.zeros([1, 1024]))   // exactly 1 MiB
    }

    func testNormPoolAndLossArguments() {
        assertError(["batch_norm", "weight", "[3]"]) {
            try batchNorm(Tensor.zeros([2, 3, 4, 4]), runningMean: nil, runningVar: nil, weight: Tensor.zeros([2]), bias: nil, training: true)
        }
        assertError(["batch_norm", "running_mean"]) {
            try batchNorm(Tensor.zeros([2, 3, 4, 4]), runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: false)
        }
        assertError(["instance_norm", "[2, 3]"]) { try instanceNorm(Tensor.zeros([2, 3])) }
        assertError(["max_pool2d", "does not fit"]) { try maxPool2d(Tensor.zeros([1, 1, 2, 2]), kernel: (3, 3)) }
        assertError(["dropout", "1.5"]) { try dropout(Tensor.zeros([2]), p: 1.5, training: true) }
        assertError(["l1", "[2]", "[3]"]) { try l1Loss(Tensor.zeros([2]), Tensor.zeros([3])) }
        assertError(["backward", "not a scalar"]) { let x = Tensor.zeros([2]); x.requiresGrad = true; try (x * 2).backward(); return 0 }
    }
}
