import CWBCore

/// pix2pix's adversarial loss: binary cross-entropy on the discriminator's logits.
public enum BCEGANLoss {
    /// (BCE(real, 1) + BCE(fake, 0)) / 2, as pix2pix halves the discriminator's loss.
    public static func discriminator(real: Tensor, fake: Tensor) throws -> Tensor {
        let r = try bceWithLogits(real, Tensor.ones(real.shape))
        let f = try bceWithLogits(fake, Tensor.zeros(fake.shape))
        return try (r + f) * 0.5
    }
    /// BCE(fake, 1): the generator wants its output judged real.
    public static func generator(fake: Tensor) throws -> Tensor {
        try bceWithLogits(fake, Tensor.ones(fake.shape))
    }
}

/// Wasserstein critic loss with gradient penalty (Gulrajani et al. 2017):
/// critic loss = mean D(fake) − mean D(real) + λ·mean((‖∇ₓD(x̂)‖₂ − 1)²) with x̂ = α·real + (1−α)·fake,
/// α ~ U(0,1) per sample. The penalty is differentiated twice (`createGraph`), so the critic's
/// parameters get its true gradient.
public struct WassersteinGP {
    public var lambda: Float

    public init(lambda: Float = 10) { self.lambda = lambda }

    /// The critic's loss and its parts. `real` and `fake` are the critic's inputs (e.g. L and
    /// ab concatenated); `fake` should be detached from the generator. `alpha` (N×1×…×1) is
    /// drawn from `generator` unless given.
    public func criticLoss(critic: Module, real: Tensor, fake: Tensor, alpha: Tensor? = nil,
                           generator: RandomGenerator = .global) throws -> (loss: Tensor, wasserstein: Float, penalty: Float) {
        guard real.shape == fake.shape, real.rank >= 2 else {
            throw TensorError("wgan-gp: real \(shapeText(real.shape)) and fake \(shapeText(fake.shape)) must have the same N×… shape")
        }
        let alphaShape = [real.shape[0]] + [Int](repeating: 1, count: real.rank - 1)
        if let alpha, alpha.shape != alphaShape {
            throw TensorError("wgan-gp: alpha \(shapeText(alpha.shape)) must be \(shapeText(alphaShape))")
        }
        let alpha = alpha ?? Tensor.rand(alphaShape, generator: generator)
        let dReal = try critic(real).mean(), dFake = try critic(fake).mean()
        let gp = try gradientPenalty(critic: critic, real: real, fake: fake, alpha: alpha)
        let distance = try dFake - dReal
        let loss = try distance + gp * lambda
        return (loss, try distance.item(), try gp.item())
    }

    /// mean over samples of (‖∇ₓ critic(x̂)‖₂ − 1)², unweighted; `alpha` is N×1×…×1.
    public func gradientPenalty(critic: Module, real: Tensor, fake: Tensor, alpha: Tensor) throws -> Tensor {
        let mixed = try alpha * real.detached() + (1 - alpha) * fake.detached()
        let x = mixed.detached()
        x.requiresGrad = true
        let scores = try critic(x)
        let g = try grad(of: scores, wrt: [x], gradient: Tensor.ones(scores.shape), createGraph: true)[0]
        let perSample = try g.reshape([g.shape[0], -1])
        // A tiny epsilon keeps sqrt differentiable where a gradient is exactly zero.
        let norm = (try (perSample * perSample).sum(axes: [1]) + 1e-12).sqrt()
        let d = norm - 1
        return (try d * d).mean()
    }

    /// −mean D(fake): the generator's adversarial term.
    public static func generatorLoss(fakeScores: Tensor) -> Tensor { -fakeScores.mean() }
}
