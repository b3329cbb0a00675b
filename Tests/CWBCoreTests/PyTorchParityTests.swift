import XCTest
@testable import CWBCore

/// Outputs and gradients against PyTorch, from Fixtures/core_parity.json (made by
/// make_fixtures.py beside this file). Tolerance: max |cwb − torch| ≤ 1e-4 · max |torch|, with
/// an absolute floor of 1e-7 for values that are zero up to rounding (a conv bias right before
/// instance norm has an analytic gradient of 0; both sides then hold ~1e-9 of noise).
final class PyTorchParityTests: XCTestCase {
    struct Stored: Decodable { let shape: [Int]; let data: [Float] }
    static let fixtures: [String: Stored] = {
        guard let url = Bundle.module.url(forResource: "core_parity", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let decoded = try? JSONDecoder().decode([String: Stored].self, from: data) else { return [:] }
        return decoded
    }()

    func t(_ name: String) throws -> Tensor {
        let s = try XCTUnwrap(Self.fixtures[name], "fixture \(name) missing")
        return try Tensor(shape: s.shape, scalars: s.data)
    }

    func assertMatches(_ actual: Tensor, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try t(name)
        XCTAssertEqual(actual.shape, expected.shape, "\(name): shape", file: file, line: line)
        guard actual.shape == expected.shape else { return }
        var worst: Float = 0, scale: Float = 0
        for i in 0..<expected.count {
            worst = max(worst, abs(actual.pointer[i] - expected.pointer[i]))
            scale = max(scale, abs(expected.pointer[i]))
        }
        XCTAssertLessThanOrEqual(worst, max(1e-4 * scale, 1e-7), "\(name): max error \(worst) vs scale \(scale)", file: file, line: line)
    }

    func testFixturesLoaded() {
        XCTAssertGreaterThan(Self.fixtures.count, 70, "core_parity.json could not be read")
    }

    func testConv2d() throws {
        let x = try t("conv.x"), w = try t("conv.w"), b = try t("conv.b")
        for v in [x, w, b] { v.requiresGrad = true }
        let y = try conv2d(x, w, bias: b, stride: (2, 1), padding: (1, 2), dilation: (1, 2))
        try assertMatches(y, "conv.y")
        let g = try grad(of: y, wrt: [x, w, b], gradient: try t("conv.gy"))
        try assertMatches(g[0], "conv.gx"); try assertMatches(g[1], "conv.gw"); try assertMatches(g[2], "conv.gb")
    }

    func testConvTranspose2d() throws {
        let x = try t("convt.x"), w = try t("convt.w"), b = try t("convt.b")
        for v in [x, w, b] { v.requiresGrad = true }
        let y = try convTranspose2d(x, w, bias: b, stride: (2, 2), padding: (1, 1), outputPadding: (1, 1))
        try assertMatches(y, "convt.y")
        let g = try grad(of: y, wrt: [x, w, b], gradient: try t("convt.gy"))
        try assertMatches(g[0], "convt.gx"); try assertMatches(g[1], "convt.gw"); try assertMatches(g[2], "convt.gb")
    }

    func testBatchNormTrainAndEval() throws {
        let x = try t("bn.x"), w = try t("bn.w"), b = try t("bn.b")
        for v in [x, w, b] { v.requiresGrad = true }
        let rm = try t("bn.rm0"), rv = try t("bn.rv0")
        let y = try batchNorm(x, runningMean: rm, runningVar: rv, weight: w, bias: b, training: true)
        try assertMatches(y, "bn.train.y")
        try assertMatches(rm, "bn.rm1"); try assertMatches(rv, "bn.rv1")
        var g = try grad(of: y, wrt: [x, w, b], gradient: try t("bn.gy"))
        try assertMatches(g[0], "bn.train.gx"); try assertMatches(g[1], "bn.train.gw"); try assertMatches(g[2], "bn.train.gb")
        let ye = try batchNorm(x, runningMean: rm, runningVar: rv, weight: w, bias: b, training: false)
        try assertMatches(ye, "bn.eval.y")
        g = try grad(of: ye, wrt: [x, w, b], gradient: try t("bn.gy"))
        try assertMatches(g[0], "bn.eval.gx"); try assertMatches(g[1], "bn.eval.gw"); try assertMatches(g[2], "bn.eval.gb")
    }

    func testInstanceNorm() throws {
        let x = try t("in.x"), w = try t("in.w"), b = try t("in.b")
        for v in [x, w, b] { v.requiresGrad = true }
        let y = try instanceNorm(x, weight: w, bias: b)
        try assertMatches(y, "in.y")
        let g = try grad(of: y, wrt: [x, w, b], gradient: try t("in.gy"))
        try assertMatches(g[0], "in.gx"); try assertMatches(g[1], "in.gw"); try assertMatches(g[2], "in.gb")
    }

    /// The WGAN-GP penalty (‖∂D(x̂)/∂x̂‖ − 1)² of a conv / leaky-ReLU / instance-norm critic,
    /// and its gradients with respect to the critic's parameters (double backprop).
    func testGradientPenaltyOfConvCritic() throws {
        let names = ["c1.w", "c1.b", "c2.w", "c2.b", "n2.w", "n2.b", "c3.w", "c3.b"]
        var p: [String: Tensor] = [:]
        for n in names { p[n] = try t("gp." + n); p[n]!.requiresGrad = true }
        func critic(_ v: Tensor) throws -> Tensor {
            var h = try conv2d(v, p["c1.w"]!, bias: p["c1.b"]!, stride: (2, 2), padding: (1, 1)).leakyRelu(0.2)
            h = try conv2d(h, p["c2.w"]!, bias: p["c2.b"]!, stride: (2, 2), padding: (1, 1))
            h = try instanceNorm(h, weight: p["n2.w"]!, bias: p["n2.b"]!).leakyRelu(0.2)
            return try conv2d(h, p["c3.w"]!, bias: p["c3.b"]!, padding: (1, 1)).mean(axes: [1, 2, 3])
        }
        let alpha = try t("gp.alpha")
        let xhat = try alpha * t("gp.real") + (1 - alpha) * t("gp.fake")
        let xh = xhat.detached(); xh.requiresGrad = true
        let d = try critic(xh)
        try assertMatches(d, "gp.d")
        let g = try grad(of: d.sum(), wrt: [xh], createGraph: true)[0]
        try assertMatches(g, "gp.grad_xhat")
        let norms = try (g * g).sum(axes: [1, 2, 3]).sqrt()
        let penalty = try (norms - 1).pow(2).mean().reshape([1])
        try assertMatches(penalty, "gp.penalty")
        let params = names.map { p[$0]! }
        let grads = try grad(of: penalty.sum(), wrt: params)
        for (n, gr) in zip(names, grads) { try assertMatches(gr, "gp.grad." + n) }
    }

    func testAssortedForwardValues() throws {
        let x = try t("ops.x"), target = try t("ops.target")
        try assertMatches(try upsample(x, size: (7, 13), mode: .bilinear), "ops.upsample_bilinear")
        try assertMatches(try upsample(x, scale: 2), "ops.upsample_nearest")
        try assertMatches(try maxPool2d(x, kernel: (3, 3), stride: (1, 1), padding: (1, 1)), "ops.max_pool")
        try assertMatches(try avgPool2d(x, kernel: (2, 3), stride: (2, 2), padding: (1, 1)), "ops.avg_pool")
        try assertMatches(try x.variance(axes: [0, 2]), "ops.var")
        try assertMatches(try x.exp().sum(axes: [1]).log(), "ops.logsumexp_free")
        try assertMatches(try bceWithLogits(x, target).reshape([1]), "ops.bce")
        try assertMatches(try l1Loss(x, target).reshape([1]), "ops.l1")
        try assertMatches(try mseLoss(x, target).reshape([1]), "ops.mse")
        try assertMatches(try t("ops.a").matmul(try t("ops.bm")), "ops.matmul")
    }
}
