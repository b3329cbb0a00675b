import CWBCore

/// pix2pix's PatchGAN discriminator (`NLayerDiscriminator`; 3 layers = 70×70 receptive
/// field), keys `model.N.*`: Conv(4×4, s2) → LeakyReLU 0.2; (layers−1)× Conv(4×4, s2) → Norm →
/// LeakyReLU; Conv(4×4, s1) → Norm → LeakyReLU; Conv(4×4, s1) to one logit per patch.
/// With `.instance` norm it is the CWGAN critic (no batch statistics, as WGAN-GP requires).
/// Input: condition and colour concatenated, e.g. L and ab → N×3×H×W.
public struct PatchGANConfig: Sendable, Equatable {
    public enum Norm: Sendable, Equatable { case batch, instance(affine: Bool), none }
    public var inChannels = 3, base = 64, layers = 3
    public var norm: Norm = .batch

    public init(inChannels: Int = 3, base: Int = 64, layers: Int = 3, norm: Norm = .batch) {
        self.inChannels = inChannels; self.base = base; self.layers = layers; self.norm = norm
    }

    public static let pix2pix = PatchGANConfig()
    public static let critic = PatchGANConfig(norm: .instance(affine: true))
}

public final class PatchGAN: Module {
    public let config: PatchGANConfig
    public let model: Sequential

    public init(_ config: PatchGANConfig = .pix2pix, generator: RandomGenerator = .global) throws {
        try checkPositive("PatchGAN", ["in_channels": config.inChannels, "base": config.base, "layers": config.layers])
        self.config = config
        let useBias = config.norm != .batch
        func norm(_ c: Int) throws -> Module? {
            switch config.norm {
            case .batch: return try BatchNorm2d(c)
            case let .instance(affine): return try InstanceNorm2d(c, affine: affine)
            case .none: return nil
            }
        }
        var layers: [Module] = [try Conv2d(config.inChannels, config.base, kernel: 4, stride: 2, padding: 1, generator: generator),
                                LeakyReLU(0.2)]
        var prev = config.base
        for n in 1...config.layers {
            let w = config.base * Swift.min(1 << n, 8)
            let stride = n < config.layers ? 2 : 1
            layers.append(try Conv2d(prev, w, kernel: 4, stride: stride, padding: 1, bias: useBias, generator: generator))
            if let nm = try norm(w) { layers.append(nm) }
            layers.append(LeakyReLU(0.2))
            prev = w
        }
        layers.append(try Conv2d(prev, 1, kernel: 4, stride: 1, padding: 1, generator: generator))
        model = Sequential(layers)
        super.init()
        child("model", model)
    }

    public override var details: String { "\(config.layers) layers, base \(config.base)" }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == config.inChannels else {
            throw TensorError("PatchGAN: input must be N×\(config.inChannels)×H×W (condition and colour concatenated), got \(shapeText(x.shape))")
        }
        return try model(x)
    }

    /// Scores for a colouring `ab` of `luminance` (concatenated on channels).
    public func callAsFunction(luminance: Tensor, ab: Tensor) throws -> Tensor {
        try self(try Tensor.concat([luminance, ab], axis: 1))
    }
}
