import CWBCore
@testable import CWBNN
import XCTest

/// The three regimes, as the training loops will drive them, on a tiny fixed batch: losses
/// stay finite and the supervised error (eval mode) falls. Real overfitting runs on 64×64
/// images are release examples of the training module.
final class TrainingSmokeTests: XCTestCase {
    /// A fixed batch whose ab is a smooth function of L, so there is something to learn.
    func batch(_ n: Int = 4, size: Int = 16) throws -> (L: Tensor, ab: Tensor) {
        let L = Tensor.uniform([n, 1, size, size], low: -1, high: 1, generator: RandomGenerator(seed: 21))
        let a = (L * 0.4).tanh(), b = (L * -0.3 + 0.1).tanh()
        return (L, try Tensor.concat([a, b], axis: 1))
    }

    func evalL1(_ g: Module, _ L: Tensor, _ ab: Tensor) throws -> Float {
        g.eval(); defer { g.train() }
        return try noGrad { try l1Loss(try g(L), ab).item() }
    }

    func testSupervisedUNetLearns() throws {
        manualSeed(1)
        let (L, ab) = try batch()
        let g = try UNet(UNetConfig(base: 8, depth: 3))
        let opt = try Adam(g.namedParameters(), learningRate: 3e-3)
        let loss = Loss.l1 + 0.1 * Loss.mse
        let before = try evalL1(g, L, ab)
        g.train()
        for _ in 0..<40 {
            opt.zeroGrad()
            let l = try loss(try g(L), ab, luminance: L)
            XCTAssertTrue(try l.item().isFinite)
            try l.backward()
            try opt.step()
        }
        let after = try evalL1(g, L, ab)
        XCTAssertLessThan(after, before / 2, "L1 \(before) → \(after)")
    }

    /// Same seed, same run, bit for bit (dropout and initialisation draw from the seeded
    /// generator); a frozen part does not change.
    func testTrainingIsDeterministicAndFreezeHolds() throws {
        func run() throws -> [Float] {
            manualSeed(7)
            let (L, ab) = try batch(2)
            let g = try UNet(UNetConfig(base: 4, depth: 3))
            g.down[0].freeze()
            let frozen = g.down[0].parameters.map { $0.copy().scalars }
            let opt = try RAdam(g.namedParameters(), learningRate: 1e-2)
            for _ in 0..<3 {
                opt.zeroGrad()
                try l1Loss(try g(L), ab).backward()
                try opt.step()
            }
            XCTAssertEqual(g.down[0].parameters.map(\.scalars), frozen)
            return g.parameters.flatMap(\.scalars)
        }
        XCTAssertEqual(try run(), try run())
    }

    func testPix2PixStepsTrainBothNetworks() throws {
        manualSeed(2)
        let (L, ab) = try batch()
        let g = try UNet(.pix2pix(base: 8, depth: 3)), d = try PatchGAN(PatchGANConfig(base: 8, layers: 2))
        initialize(g, .normal(std: 0.02)); initialize(d, .normal(std: 0.02))
        let optG = try Adam(g.namedParameters(), learningRate: 1e-2, beta1: 0.5)
        let optD = try Adam(d.namedParameters(), learningRate: 2e-3, beta1: 0.5)
        let before = try evalL1(g, L, ab)
        let dWeight = d.model.layers[0].namedParameters()[0].tensor.copy()
        for _ in 0..<30 {
            let fake = try g(L)
            optD.zeroGrad()
            let dLoss = try BCEGANLoss.discriminator(real: d(luminance: L, ab: ab), fake: d(luminance: L, ab: fake.detached()))
            try dLoss.backward()
            try optD.step()
            optG.zeroGrad()
            let gLoss = try BCEGANLoss.generator(fake: d(luminance: L, ab: fake)) + l1Loss(fake, ab) * 100
            XCTAssertTrue(try dLoss.item().isFinite && gLoss.item().isFinite)
            try gLoss.backward()
            try optG.step()
        }
        XCTAssertLessThan(try evalL1(g, L, ab), before * 0.7)
        XCTAssertNotEqual(d.model.layers[0].namedParameters()[0].tensor.scalars, dWeight.scalars, "discriminator must train")
    }

    func testWGANGPStepsTrainBothNetworks() throws {
        manualSeed(3)
        let (L, ab) = try batch()
        let g = try ResUNet(ResUNetConfig(base: 8, depth: 3))
        let critic = try PatchGAN(PatchGANConfig(base: 8, layers: 2, norm: .instance(affine: true)))
        let optG = try Adam(g.namedParameters(), learningRate: 5e-3, beta1: 0.5, beta2: 0.9)
        let optC = try Adam(critic.namedParameters(), learningRate: 2e-4, beta1: 0.5, beta2: 0.9)
        let perceptual = try PerceptualLoss(.vgg16, layers: ["block5_conv3"], weights: nil)   // off: no weights here
        let saved = Notices.report
        Notices.report = { _ in }
        defer { Notices.report = saved }
        let supervised = Loss.l1 + 0.005 * Loss.perceptual(perceptual) + 0.1 * Loss.colour
        let wgan = WassersteinGP(lambda: 10)
        var trainL1: [Float] = []
        let real = try Tensor.concat([L, ab], axis: 1)
        for _ in 0..<25 {
            for _ in 0..<2 {   // n_critic (5 in the study; 2 keeps the debug test short)
                let fake = try noGrad { try g(L) }
                optC.zeroGrad()
                let (loss, w, gp) = try wgan.criticLoss(critic: critic, real: real, fake: try Tensor.concat([L, fake], axis: 1))
                XCTAssertTrue(w.isFinite && gp.isFinite)
                try loss.backward()
                try optC.step()
            }
            optG.zeroGrad()
            let fake = try g(L)
            let adv = WassersteinGP.generatorLoss(fakeScores: try critic(luminance: L, ab: fake))
            let total = try adv + supervised(fake, ab, luminance: L)
            XCTAssertTrue(try total.item().isFinite)
            trainL1.append(try l1Loss(fake, ab).item())
            try total.backward()
            try optG.step()
        }
        // Train-mode error: after 25 tiny steps the running statistics still lag behind.
        XCTAssertLessThan(trainL1.last!, trainL1.first! * 0.8, "\(trainL1)")
    }
}
