import CWBCore
import CWBData
import CWBNN

/// A loss for the generator: given the batch and the predicted ab, the named terms
/// (the one named "loss" is minimised; the others are reported).
public typealias GeneratorLoss = (_ batch: Batch, _ predictedAB: Tensor) throws -> [String: Tensor]

/// Plain supervised training: model(L) → ab, minimise the loss.
public final class SupervisedRegime: TrainingRegime {
    public let model: Module
    public let optimizer: Optimizer
    public let baseRate: Float
    let loss: GeneratorLoss

    public init(model: Module, optimizer: Optimizer, loss: @escaping GeneratorLoss) {
        self.model = model; self.optimizer = optimizer; self.baseRate = optimizer.learningRate; self.loss = loss
    }

    public var name: String { "supervised" }
    public var modules: [(name: String, module: Module)] { [("model", model)] }
    public var optimizers: [(name: String, optimizer: Optimizer, baseRate: Float)] { [("model", optimizer, baseRate)] }

    public func step(_ batch: Batch) throws -> [String: Double] {
        let prediction = try model(batch.l)
        let terms = try loss(batch, prediction)
        guard let total = terms["loss"] else { throw TensorError("fit: the loss gave no \"loss\" term (got \(terms.keys.sorted()))") }
        let values = try checkedLosses(terms)
        optimizer.zeroGrad()
        try total.backward()
        try optimizer.step()
        return values
    }
}

/// Pix2Pix (Isola et al. 2017): a conditional GAN whose discriminator sees (L, ab) pairs.
/// Per step: one discriminator update on real and generated pairs (BCE, halved as in the
/// paper), then one generator update on BCE(D(L, G(L)), real) + the generator loss
/// (λ·L1 with λ = 100 in the study).
public final class Pix2PixRegime: TrainingRegime {
    public let generator: Module, discriminator: Module
    public let generatorOptimizer: Optimizer, discriminatorOptimizer: Optimizer
    let rates: (Float, Float)
    let generatorLoss: GeneratorLoss

    public init(generator: Module, discriminator: Module, generatorOptimizer: Optimizer,
                discriminatorOptimizer: Optimizer, generatorLoss: @escaping GeneratorLoss) {
        self.generator = generator; self.discriminator = discriminator
        self.generatorOptimizer = generatorOptimizer; self.discriminatorOptimizer = discriminatorOptimizer
        self.rates = (generatorOptimizer.learningRate, discriminatorOptimizer.learningRate)
        self.generatorLoss = generatorLoss
    }

    public var name: String { "pix2pix" }
    public var modules: [(name: String, module: Module)] { [("generator", generator), ("discriminator", discriminator)] }
    public var optimizers: [(name: String, optimizer: Optimizer, baseRate: Float)] {
        [("generator", generatorOptimizer, rates.0), ("discriminator", discriminatorOptimizer, rates.1)]
    }

    public func step(_ batch: Batch) throws -> [String: Double] {
        let fake = try generator(batch.l)
        // Discriminator: real pairs → 1, generated pairs → 0.
        let realScore = try discriminator(try Tensor.concat([batch.l, batch.ab], axis: 1))
        let fakeScore = try discriminator(try Tensor.concat([batch.l, fake.detached()], axis: 1))
        let dLoss = try BCEGANLoss.discriminator(real: realScore, fake: fakeScore)
        var values = try checkedLosses(["d_loss": dLoss])
        discriminatorOptimizer.zeroGrad()
        try dLoss.backward()
        try discriminatorOptimizer.step()
        // Generator: fool the updated discriminator, plus its own loss. (Its graph is built
        // after the discriminator's in-place update, so backward reads the weights it used.)
        let terms = try withFrozen(discriminator) { () -> [String: Tensor] in
            let score = try discriminator(try Tensor.concat([batch.l, fake], axis: 1))
            var t = try generatorLoss(batch, fake)
            let adversarial = try BCEGANLoss.generator(fake: score)
            t["g_gan"] = adversarial
            t["g_loss"] = try adversarial + (t["loss"] ?? Tensor(0))
            return t
        }
        values.merge(try checkedLosses(terms)) { a, _ in a }
        generatorOptimizer.zeroGrad()
        try terms["g_loss"]!.backward()
        try generatorOptimizer.step()
        var out = values
        out["loss"] = values["g_loss"]
        return out
    }
}

/// Conditional WGAN with gradient penalty (Gulrajani et al. 2017). Per step (one batch): the
/// critic is updated `criticSteps` times (5 in the study) on C(L, G(L)) − C(L, ab) +
/// λ·(‖∂C/∂x̂‖₂ − 1)² with x̂ between the real and generated (L, ab) inputs (λ = 10), the
/// penalty differentiated twice (CWBNN's `WassersteinGP`); then the generator once on
/// −C(L, G(L)) + its own loss (the study: L1 + 0.005·perceptual + 0.1·colour). Each critic
/// update draws a fresh generated batch (dropout differs) and fresh interpolation weights on
/// the same real batch.
public final class WGANGPRegime: TrainingRegime {
    public let generator: Module, critic: Module
    public let generatorOptimizer: Optimizer, criticOptimizer: Optimizer
    public let criticSteps: Int
    public let penaltyWeight: Float
    let rates: (Float, Float)
    let generatorLoss: GeneratorLoss
    let generatorRNG: RandomGenerator

    public init(generator: Module, critic: Module, generatorOptimizer: Optimizer, criticOptimizer: Optimizer,
                criticSteps: Int = 5, penaltyWeight: Float = 10, seed: UInt64 = 0,
                generatorLoss: @escaping GeneratorLoss) throws {
        guard criticSteps >= 1 else { throw TensorError("wgan-gp: critic steps must be ≥ 1, got \(criticSteps)") }
        self.generator = generator; self.critic = critic
        self.generatorOptimizer = generatorOptimizer; self.criticOptimizer = criticOptimizer
        self.criticSteps = criticSteps; self.penaltyWeight = penaltyWeight
        self.rates = (generatorOptimizer.learningRate, criticOptimizer.learningRate)
        self.generatorLoss = generatorLoss
        self.generatorRNG = RandomGenerator(seed: seed)
    }

    public var name: String { "wgan-gp" }
    public var modules: [(name: String, module: Module)] { [("generator", generator), ("critic", critic)] }
    public var optimizers: [(name: String, optimizer: Optimizer, baseRate: Float)] {
        [("generator", generatorOptimizer, rates.0), ("critic", criticOptimizer, rates.1)]
    }

    public func step(_ batch: Batch) throws -> [String: Double] {
        var last: [String: Double] = [:]
        let wgan = WassersteinGP(lambda: penaltyWeight)
        let real = try Tensor.concat([batch.l, batch.ab], axis: 1)
        for _ in 0..<criticSteps {
            let fake = try Tensor.concat([batch.l, try noGrad { try generator(batch.l) }], axis: 1)
            let (loss, distance, penalty) = try wgan.criticLoss(critic: critic, real: real, fake: fake, generator: generatorRNG)
            last = try checkedLosses(["c_loss": loss])
            last["wasserstein"] = Double(-distance)
            last["gp"] = Double(penalty)
            criticOptimizer.zeroGrad()
            try loss.backward()
            try criticOptimizer.step()
        }
        let fake = try generator(batch.l)
        let terms = try withFrozen(critic) { () -> [String: Tensor] in
            var t = try generatorLoss(batch, fake)
            let adversarial = WassersteinGP.generatorLoss(fakeScores: try critic(try Tensor.concat([batch.l, fake], axis: 1)))
            t["g_adv"] = adversarial
            t["g_loss"] = try adversarial + (t["loss"] ?? Tensor(0))
            return t
        }
        var values = try checkedLosses(terms)
        generatorOptimizer.zeroGrad()
        try terms["g_loss"]!.backward()
        try generatorOptimizer.step()
        values.merge(last) { a, _ in a }
        values["loss"] = values["g_loss"]
        return values
    }
}

/// Runs `body` with `module`'s parameters excluded from autograd (the generator's update
/// does not need the discriminator's gradients), restoring them afterwards.
func withFrozen<T>(_ module: Module, _ body: () throws -> T) rethrows -> T {
    module.freeze()
    defer { module.unfreeze() }
    return try body()
}

extension Loss {
    /// This loss as a training regime's generator loss: the weighted total as "loss", each
    /// term's weighted value under its own name (l1, perceptual, colour…) for the history.
    public var asGeneratorLoss: GeneratorLoss {
        { batch, prediction in
            let (total, parts) = try self.evaluate(LossInput(prediction: prediction, target: batch.ab, luminance: batch.l))
            var out = ["loss": total]
            for p in parts { out[p.name] = Tensor(p.value) }
            return out
        }
    }
}
