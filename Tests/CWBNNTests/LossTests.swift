import CWBCore
@testable import CWBNN
import XCTest

final class LossTests: XCTestCase {
    /// Critic parameters' gradients of the gradient penalty (double backprop) and of the whole
    /// critic loss match PyTorch's `create_graph=True` results.
    func testGradientPenaltyMatchesPyTorch() throws {
        let fx = try fixture("gp.safetensors")
        let critic = try PatchGAN(PatchGANConfig(base: 4, layers: 2, norm: .instance(affine: true)))
        try critic.load(stateDict: fx.section("sd"))
        let real = try fx.require("real"), fake = try fx.require("fake"), alpha = try fx.require("alpha")
        let wgan = WassersteinGP()
        let gp = try wgan.gradientPenalty(critic: critic, real: real, fake: fake, alpha: alpha)
        assertClose(try gp.reshape([1]), try fx.require("gp"), "gradient penalty")
        let named = critic.namedParameters()
        let grads = try grad(of: gp, wrt: named.map(\.tensor))
        for ((k, _), g) in zip(named, grads) {
            assertClose(g, try fx.require("gp_grad.\(k)"), rtol: 1e-3, atol: 1e-5, "GP gradient of \(k)")
        }
        let (loss, _, penalty) = try wgan.criticLoss(critic: critic, real: real, fake: fake, alpha: alpha)
        XCTAssertEqual(penalty, try gp.item(), accuracy: 1e-6)
        assertClose(try loss.reshape([1]), try fx.require("loss"), "critic loss")
        critic.zeroGrad()
        try loss.backward()
        for (k, p) in named {
            assertClose(try XCTUnwrap(p.grad), try fx.require("loss_grad.\(k)"), rtol: 1e-3, atol: 1e-5, "critic loss gradient of \(k)")
        }
    }

    func testLabToRGBMatchesScikitImage() throws {
        let fx = try fixture("colour_vgg.safetensors")
        let rgb = try labToRGB(luminance: fx.require("L"), ab: fx.require("ab"))
        assertClose(rgb, try fx.require("rgb"), rtol: 1e-4, atol: 2e-5, "lab → rgb")
        // Differentiable without NaN, also where branches switch and values clip.
        let ab = try fx.require("ab").copy()
        ab.requiresGrad = true
        try labToRGB(luminance: fx.require("L"), ab: ab).sum().backward()
        XCTAssertTrue(try XCTUnwrap(ab.grad).scalars.allSatisfy { $0.isFinite })
    }

    func testVGGFeaturesAndPerceptualLossMatchPyTorch() throws {
        let fx = try fixture("colour_vgg.safetensors")
        let weights = try fixtureURL("vgg16_random_block2.safetensors")
        let vgg = try VGGFeatures(.vgg16, upTo: "block2_conv1")
        try vgg.loadWeights(contentsOf: weights)
        vgg.eval()
        let x = try imagenetNormalize(fx.require("rgb"))
        let outs = try vgg.outputs(x, layers: ["block2_conv1", "block1_conv2"])
        assertClose(outs[0], try fx.require("block2_conv1"), rtol: 1e-4, atol: 1e-4, "block2_conv1")
        assertClose(outs[1], try fx.require("block1_conv2"), rtol: 1e-4, atol: 1e-4, "block1_conv2")

        let p = try PerceptualLoss(.vgg16, layers: ["block1_conv2", "block2_conv1"], weights: weights)
        XCTAssertTrue(p.isOn)
        let pred = try fx.require("ab").copy()
        pred.requiresGrad = true
        let loss = try Loss.perceptual(p)(pred, fx.require("ab_target"), luminance: fx.require("L"))
        assertClose(try loss.reshape([1]), try fx.require("perceptual"), rtol: 1e-3, atol: 1e-6, "perceptual loss")
        try loss.backward()
        XCTAssertNotNil(pred.grad)
        XCTAssertTrue(vgg.parameters.allSatisfy { $0.requiresGrad } && p.network!.parameters.allSatisfy { !$0.requiresGrad })
        XCTAssertThrowsError(try VGGFeatures(.vgg19, upTo: "block6_conv1"))
    }

    func testPerceptualLossWithoutWeightsIsOffAndSaysSoOnce() throws {
        var messages: [String] = []
        let saved = Notices.report
        Notices.report = { messages.append($0) }
        defer { Notices.report = saved }
        let p = try PerceptualLoss(.vgg19, layers: ["block5_conv4"], weights: nil)
        XCTAssertFalse(p.isOn)
        let loss = Loss.l1 + 0.005 * Loss.perceptual(p)
        let a = Tensor.ones([1, 2, 4, 4]), b = Tensor.zeros([1, 2, 4, 4])
        XCTAssertEqual(try loss(a, b).item(), 1)
        _ = try loss(a, b)
        XCTAssertEqual(messages.count, 1)
        XCTAssertTrue(messages[0].contains("perceptual loss is off"))
    }

    func testWeightedSumsAndParts() throws {
        let g = RandomGenerator(seed: 2)
        let p = Tensor.randn([2, 2, 3, 3], generator: g), t = Tensor.randn([2, 2, 3, 3], generator: g)
        let loss = Loss.l1 + 0.5 * Loss.mse + 0.1 * Loss.colour
        let (total, parts) = try loss.evaluate(LossInput(prediction: p, target: t))
        let l1 = try l1Loss(p, t).item(), mse = try mseLoss(p, t).item()
        XCTAssertEqual(try total.item(), l1 + 0.5 * mse + 0.1 * l1, accuracy: 1e-5)
        XCTAssertEqual(parts.map(\.name), ["l1", "mse", "colour"])
        XCTAssertEqual(parts[1].value, 0.5 * mse, accuracy: 1e-6)
        XCTAssertEqual(loss.description, "l1 + 0.5·mse + 0.1·colour")
        // Colour loss on Lab takes the ab channels only.
        let lab = Tensor.randn([1, 3, 2, 2], generator: g), labT = Tensor.randn([1, 3, 2, 2], generator: g)
        let expected = try l1Loss(lab.slice(axis: 1, start: 1, end: 3), labT.slice(axis: 1, start: 1, end: 3)).item()
        XCTAssertEqual(try Loss.colour(lab, labT).item(), expected, accuracy: 1e-6)
    }

    func testBCEGANLoss() throws {
        let real = try Tensor(shape: [2], scalars: [2, -1]), fake = try Tensor(shape: [2], scalars: [0, 1])
        func sp(_ x: Float) -> Float { log(1 + exp(x)) }   // BCE(x, 1) = softplus(−x), BCE(x, 0) = softplus(x)
        let d = (sp(-2) + sp(1)) / 2 / 2 + (sp(0) + sp(1)) / 2 / 2
        XCTAssertEqual(try BCEGANLoss.discriminator(real: real, fake: fake).item(), d, accuracy: 1e-5)
        XCTAssertEqual(try BCEGANLoss.generator(fake: fake).item(), (sp(0) + sp(-1)) / 2, accuracy: 1e-5)
    }
}
