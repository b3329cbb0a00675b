import CWBCore
import XCTest
@testable import CWBScript

final class TensorBuiltinTests: XCTestCase {
    func tensor(_ code: String, file: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
        guard case let .tensor(t) = try value(code) else { XCTFail("not a tensor: \(code)", file: file, line: line); throw ScriptError(.type, "") }
        return t
    }

    func testCreation() throws {
        XCTAssertEqual(try tensor("zeros(2, 3)").shape, [2, 3])
        XCTAssertEqual(try tensor("ones([4])").scalars, [1, 1, 1, 1])
        XCTAssertEqual(try tensor("tensor([[1, 2], [3, 4]])").shape, [2, 2])
        XCTAssertEqual(try tensor("arange(1, 4)").scalars, [1, 2, 3])
        XCTAssertEqual(try tensor("linspace(0, 1, 3)").scalars, [0, 0.5, 1])
        XCTAssertEqual(try tensor("eye(2)").scalars, [1, 0, 0, 1])
        XCTAssertEqual(try tensor("full([2], 7)").scalars, [7, 7])
        let a = try tensor("seed(3); randn(5)").scalars, b = try tensor("seed(3); randn(5)").scalars
        XCTAssertEqual(a, b)
    }

    func testArithmeticBroadcastAndMatmul() throws {
        XCTAssertEqual(try tensor("tensor([1, 2]) * 2 + 1").scalars, [3, 5])
        XCTAssertEqual(try tensor("1 - tensor([1, 2])").scalars, [0, -1])
        XCTAssertEqual(try tensor("tensor([[1, 2], [3, 4]]) + tensor([10, 20])").scalars, [11, 22, 13, 24])
        XCTAssertEqual(try tensor("tensor([[1, 2], [3, 4]]) @ tensor([[1], [1]])").scalars, [3, 7])
        XCTAssertEqual(try tensor("tensor([1, 2, 3]) ** 2").scalars, [1, 4, 9])
        XCTAssertEqual(try tensor("tensor([1, 2, 3]) > 1").scalars, [0, 1, 1])
        XCTAssertEqual(try tensor("-tensor([1])").scalars, [-1])
        XCTAssertEqual(try tensor("x = tensor([[1, 2], [3, 4]]); x.T").scalars, [1, 3, 2, 4])
        XCTAssertEqual(try tensor("where(tensor([1, -1]) > 0, tensor([5, 5]), 0)").scalars, [5, 0])
    }

    func testIndexingAndSlicing() throws {
        let code = "t = arange(24).reshape(2, 3, 4); "
        XCTAssertEqual(try tensor(code + "t[0, :, 1:3]").shape, [3, 2])
        XCTAssertEqual(try tensor(code + "t[0, :, 1:3]").scalars, [1, 2, 5, 6, 9, 10])
        XCTAssertEqual(try tensor(code + "t[-1]").shape, [3, 4])
        XCTAssertEqual(try tensor(code + "t[:, ::2, -1]").scalars, [3, 11, 15, 23])
        XCTAssertEqual(try number(code + "t[1, 2, 3].item()"), 23)
        XCTAssertEqual(try tensor(code + "t[0, 0, 10:]").shape, [0])
    }

    func testReductionsAndShapes() throws {
        XCTAssertEqual(try number("tensor([1, 2, 3]).sum().item()"), 6)
        XCTAssertEqual(try tensor("tensor([[1, 2], [3, 4]]).sum(axis: 0)").scalars, [4, 6])
        XCTAssertEqual(try tensor("tensor([[1, 2], [3, 4]]).mean(axis: 1, keepdim: true)").shape, [2, 1])
        XCTAssertEqual(try number("max(3, 7, 5)"), 7)
        XCTAssertEqual(try number("min([4, 2, 9])"), 2)
        XCTAssertEqual(try number("sum([1, 2, 3])"), 6)
        XCTAssertEqual(try number("mean([1, 2, 3])"), 2)
        XCTAssertEqual(try number("sqrt(16)"), 4)
        XCTAssertEqual(try tensor("zeros(2, 3, 4).permute(2, 0, 1)").shape, [4, 2, 3])
        XCTAssertEqual(try tensor("zeros(2, 3).unsqueeze(0)").shape, [1, 2, 3])
        XCTAssertEqual(try tensor("cat([zeros(2, 3), ones(2, 3)], axis: 1)").shape, [2, 6])
        XCTAssertEqual(try value("a, b = tensor_split(zeros(2, 5), [2, 3], axis: 1); [a.shape, b.shape]").repr, "[[2, 2], [2, 3]]")
        XCTAssertEqual(try value("zeros(2, 3).shape").repr, "[2, 3]")
        XCTAssertEqual(try value("arange(4).reshape(2, 2).tolist()").repr, "[[0, 1], [2, 3]]")
    }

    func testGradientsAndBackward() throws {
        // d/dx sum(x²) = 2x
        XCTAssertEqual(try tensor("x = tensor([1, 2, 3], requires_grad: true); grad((x * x).sum(), x)").scalars, [2, 4, 6])
        XCTAssertEqual(try tensor("w = tensor([1, 2], requires_grad: true); (w * 3).sum().backward(); w.grad").scalars, [3, 3])
        // Second order through create_graph: d/dx of (d/dx x³) = 6x
        XCTAssertEqual(try tensor("""
            x = tensor([2], requires_grad: true)
            g = grad((x ** 3).sum(), x, create_graph: true)
            grad(g.sum(), x)
            """).scalars, [12])
        XCTAssertEqual(try value("x = tensor([1], requires_grad: true); y = no_grad(fn() { x * 2 }); y.requires_grad").repr, "false")
    }

    func testNetworkFunctions() throws {
        XCTAssertEqual(try tensor("conv2d(randn(1, 3, 8, 8), randn(4, 3, 3, 3), padding: 1)").shape, [1, 4, 8, 8])
        XCTAssertEqual(try tensor("conv2d(randn(1, 3, 8, 8), randn(4, 3, 3, 3), stride: [2, 2], padding: 1)").shape, [1, 4, 4, 4])
        XCTAssertEqual(try tensor("conv_transpose2d(randn(1, 4, 4, 4), randn(4, 2, 4, 4), stride: 2, padding: 1)").shape, [1, 2, 8, 8])
        XCTAssertEqual(try tensor("max_pool2d(randn(1, 1, 4, 4), 2)").shape, [1, 1, 2, 2])
        XCTAssertEqual(try tensor("upsample(randn(1, 1, 2, 2), scale: 2, mode: \"bilinear\")").shape, [1, 1, 4, 4])
        XCTAssertEqual(try number("l1_loss(tensor([1, 2]), tensor([2, 4])).item()"), 1.5)
        XCTAssertEqual(try number("mse_loss(tensor([1, 2]), tensor([2, 4])).item()"), 2.5)
    }

    func testTensorPrintingFormat() throws {
        let text = TensorFormat.describe(try tensor("tensor([[1.5, -2], [0.25, 4]])"))
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines[0], "tensor [2, 2] float32  min -2  mean 0.9375  max 4")
        XCTAssertEqual(lines[1], "[ 1.5000 -2.0000]")
        XCTAssertEqual(lines[2], "[ 0.2500  4.0000]")
        // Large tensors elide the middle and show leading indices of higher ranks.
        let big = TensorFormat.describe(try tensor("arange(2 * 10 * 10).reshape(2, 10, 10)"))
        XCTAssertTrue(big.contains("(0, :, :)") && big.contains("(1, :, :)") && big.contains("…"), big)
        XCTAssertEqual(TensorFormat.describe(Tensor(3)), "tensor [] float32  3")
        XCTAssertTrue(TensorFormat.describe(try tensor("tensor([1], requires_grad: true)")).contains("requires_grad"))
    }
}
