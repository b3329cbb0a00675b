import CWBCore

/// Models that can describe their architecture as string metadata, stored in checkpoints'
/// `__metadata__` so a file says how to rebuild its model (`makeModel(metadata:)`), and so
/// the PyTorch side (`reference_models.py`) can build the same architecture.
public protocol DescribedModel: Module {
    var architecture: [String: String] { get }
}

extension UNet: DescribedModel {
    public var architecture: [String: String] {
        let c = config
        return ["architecture": "unet", "in_channels": "\(c.inChannels)", "out_channels": "\(c.outChannels)",
                "base": "\(c.base)", "depth": "\(c.depth)", "max_multiplier": "\(c.maxMultiplier)", "kernel": "\(c.kernel)",
                "slope": "\(c.slope)", "encoder_dropout": "\(c.encoderDropout)", "decoder_dropout": "\(c.decoderDropout)",
                "decoder_dropout_blocks": "\(c.decoderDropoutBlocks)"]
    }
}

extension PatchGAN: DescribedModel {
    public var architecture: [String: String] {
        let norm: String
        switch config.norm {
        case .batch: norm = "batch"
        case let .instance(affine): norm = affine ? "instance" : "instance_plain"
        case .none: norm = "none"
        }
        return ["architecture": "patchgan", "in_channels": "\(config.inChannels)", "base": "\(config.base)",
                "layers": "\(config.layers)", "norm": norm]
    }
}

extension ResUNet: DescribedModel {
    public var architecture: [String: String] {
        let c = config
        return ["architecture": "resunet", "in_channels": "\(c.inChannels)", "out_channels": "\(c.outChannels)",
                "base": "\(c.base)", "depth": "\(c.depth)", "max_multiplier": "\(c.maxMultiplier)", "dropout": "\(c.dropout)"]
    }
}

/// Builds the model a checkpoint's metadata describes (`architecture` = unet, patchgan or
/// resunet, plus its settings); missing settings take the defaults.
public func makeModel(metadata m: [String: String], generator: RandomGenerator = .global) throws -> Module {
    func int(_ k: String, _ d: Int) throws -> Int {
        guard let s = m[k] else { return d }
        guard let v = Int(s) else { throw TensorError("model metadata: \(k) = \"\(s)\" is not an integer") }
        return v
    }
    func float(_ k: String, _ d: Float) throws -> Float {
        guard let s = m[k] else { return d }
        guard let v = Float(s) else { throw TensorError("model metadata: \(k) = \"\(s)\" is not a number") }
        return v
    }
    switch m["architecture"] {
    case "unet":
        let d = UNetConfig()
        return try UNet(UNetConfig(inChannels: int("in_channels", d.inChannels), outChannels: int("out_channels", d.outChannels),
                                   base: int("base", d.base), depth: int("depth", d.depth),
                                   maxMultiplier: int("max_multiplier", d.maxMultiplier), kernel: int("kernel", d.kernel),
                                   slope: float("slope", d.slope), encoderDropout: float("encoder_dropout", d.encoderDropout),
                                   decoderDropout: float("decoder_dropout", d.decoderDropout),
                                   decoderDropoutBlocks: int("decoder_dropout_blocks", d.decoderDropoutBlocks)), generator: generator)
    case "patchgan":
        let norm: PatchGANConfig.Norm
        switch m["norm"] ?? "batch" {
        case "batch": norm = .batch
        case "instance": norm = .instance(affine: true)
        case "instance_plain": norm = .instance(affine: false)
        case "none": norm = .none
        case let other: throw TensorError("model metadata: unknown norm \"\(other)\" (batch, instance, instance_plain, none)")
        }
        return try PatchGAN(PatchGANConfig(inChannels: int("in_channels", 3), base: int("base", 64),
                                           layers: int("layers", 3), norm: norm), generator: generator)
    case "resunet":
        let d = ResUNetConfig()
        return try ResUNet(ResUNetConfig(inChannels: int("in_channels", d.inChannels), outChannels: int("out_channels", d.outChannels),
                                         base: int("base", d.base), depth: int("depth", d.depth),
                                         maxMultiplier: int("max_multiplier", d.maxMultiplier),
                                         dropout: float("dropout", d.dropout)), generator: generator)
    case let a:
        throw TensorError("model metadata: unknown architecture \(a.map { "\"\($0)\"" } ?? "(none)"); expected unet, patchgan or resunet")
    }
}
