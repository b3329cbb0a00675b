import CWBCore
@testable import CWBNN
import XCTest

/// Each layer's output, input gradient, parameter gradients and (for BatchNorm) updated
/// running statistics against PyTorch (make_fixtures.py, `layers()`).
final class LayerTests: XCTestCase {
    func check(_ name: String, _ module: Module, train: Bool = true) throws {
        let fx = try fixture("layers.safetensors")
        try module.load(stateDict: fx.section("\(name).p"))
        module.train(train)
        let x = try fx.require("\(name).x").copy()
        x.requiresGrad = true
        let y = try module(x)
        assertClose(y, try fx.require("\(name).y"), "\(name) output")
        try (y * fx.require("\(name).r")).sum().backward()
        assertClose(try XCTUnwrap(x.grad), try fx.require("\(name).gx"), "\(name) input gradient")
        for (k, p) in module.namedParameters() {
            assertClose(try XCTUnwrap(p.grad, "\(name).\(k) has no gradient"), try fx.require("\(name).g.\(k)"), "\(name) gradient of \(k)")
        }
        let after = fx.section("\(name).after")
        XCTAssertEqual(module.stateDict().keys, try fixtureKeyOrder("layers.safetensors", name), "\(name) state_dict keys")
        for (k, t, _) in module.stateDict() { assertClose(t, try after.require(k), "\(name) state \(k) after forward") }
    }

    func testConvolutions() throws {
        try check("conv", Conv2d(3, 4, kernel: 3, stride: 2, padding: 1))
        try check("conv_dil", Conv2d(2, 3, kernel: (3, 2), stride: (1, 2), padding: (2, 0), dilation: (2, 1), bias: false))
        try check("convt", ConvTranspose2d(3, 2, kernel: 4, stride: 2, padding: 1))
        try check("convt_op", ConvTranspose2d(2, 3, kernel: 3, stride: 2, padding: 1, outputPadding: 1, bias: false))
        try check("linear", Linear(5, 3))
    }

    func testNormalizations() throws {
        try check("bn_train", BatchNorm2d(3), train: true)
        try check("bn_eval", BatchNorm2d(3), train: false)
        // Inference takes a fused path without a graph: same values.
        let fx = try fixture("layers.safetensors")
        let bn = try BatchNorm2d(3)
        try bn.load(stateDict: fx.section("bn_eval.p"))
        bn.eval()
        assertClose(try noGrad { try bn(fx.require("bn_eval.x")) }, try fx.require("bn_eval.y"), "bn_eval without graph")
        try check("in_affine", InstanceNorm2d(3, affine: true))
        try check("in_plain", InstanceNorm2d(3))
    }

    func testPoolingUpsamplingActivations() throws {
        try check("maxpool", MaxPool2d(kernel: 3, stride: 2, padding: 1))
        try check("up_nearest", Upsample(scale: 2))
        try check("up_bilinear", Upsample(scale: 2, mode: .bilinear))
        try check("leaky", LeakyReLU(0.2))
        try check("relu", ReLU())
        try check("tanh", Tanh())
        try check("sigmoid", Sigmoid())
    }

    func testResBlocks() throws {
        try check("res_short", ResBlock(3, 4), train: true)
        try check("res_same", ResBlock(4, 4), train: false)
    }

    func testDropoutIsIdentityInEvalAndScalesInTraining() throws {
        let d = try Dropout(0.5, generator: RandomGenerator(seed: 1))
        let x = Tensor.ones([1000])
        d.eval()
        XCTAssertEqual(try d(x).scalars, x.scalars)
        d.train()
        let y = try d(x).scalars
        XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 })
        let kept = y.filter { $0 == 2 }.count
        XCTAssertTrue((400...600).contains(kept), "kept \(kept) of 1000 at p = 0.5")
        XCTAssertThrowsError(try Dropout(1))
    }

    func testLayersRejectBadArguments() {
        XCTAssertThrowsError(try Conv2d(0, 4, kernel: 3))
        XCTAssertThrowsError(try Linear(3, 2)(Tensor.zeros([2, 4]))) { e in
            XCTAssertTrue("\(e)".contains("[2, 4]"), "\(e)")
        }
        XCTAssertThrowsError(try InstanceNorm2d(3)(Tensor.zeros([1, 2, 4, 4])))
    }

    /// In inference a Sequential runs batch norm and the (leaky) ReLU after it — past eval-mode
    /// dropouts — as one pass; the result is the layers' own, bit for bit.
    func testInferenceFusesBatchNormWithItsActivation() throws {
        manualSeed(3)
        for activation in [LeakyReLU(0.2), ReLU()] as [Module] {
            let bn = try BatchNorm2d(4)
            bn.runningMean.pointer.update(from: [0.3, -0.2, 0.1, 0.5], count: 4)
            bn.runningVar.pointer.update(from: [0.5, 2, 1.5, 0.8], count: 4)
            bn.weight.pointer.update(from: [1.2, 0.7, -0.4, 1], count: 4)
            bn.bias.pointer.update(from: [0.1, 0, -0.3, 0.2], count: 4)
            let seq = Sequential([bn, try Dropout(0.5), activation])
            seq.eval()
            let x = Tensor.uniform([2, 4, 5, 6], low: -2, high: 2)
            let fused = try noGrad { try seq(x) }
            let layered = try noGrad { try activation(try seq.layers[1](try bn(x))) }
            XCTAssertEqual(fused.shape, x.shape)
            XCTAssertEqual(fused.scalars, layered.scalars)
            XCTAssertTrue(fused.scalars.contains { $0 < 0 } == (activation is LeakyReLU))
        }
    }
}
