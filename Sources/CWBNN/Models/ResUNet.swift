import CWBCore

/// The CWGAN generator: a U-Net whose encoder levels are a DownSampleConv followed by a
/// ResBlock, and whose decoder levels are UpSampleConvs with Dropout, with skips.
/// Keys: `encoders.i.{conv,bn}`, `res.i.{conv1,bn1,conv2,bn2}`, `decoders.j.{deconv,bn}`,
/// `final`. L N×1×H×W in, ab N×2×H×W out (tanh).
public struct ResUNetConfig: Sendable, Equatable {
    public var inChannels = 1, outChannels = 2, base = 64, depth = 5, maxMultiplier = 8
    public var dropout: Float = 0.2

    public init(inChannels: Int = 1, outChannels: Int = 2, base: Int = 64, depth: Int = 5,
                maxMultiplier: Int = 8, dropout: Float = 0.2) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.base = base; self.depth = depth
        self.maxMultiplier = maxMultiplier; self.dropout = dropout
    }

    public func width(_ level: Int) -> Int { base * Swift.min(1 << level, maxMultiplier) }
}

/// Conv2d(4×4, stride 2, pad 1) → BatchNorm (optional) → LeakyReLU 0.2: halves the size.
public final class DownSampleConv: Module {
    public let conv: Conv2d
    public let bn: BatchNorm2d?
    public init(_ inChannels: Int, _ outChannels: Int, batchNorm: Bool = true, generator: RandomGenerator = .global) throws {
        conv = try Conv2d(inChannels, outChannels, kernel: 4, stride: 2, padding: 1, bias: !batchNorm, generator: generator)
        bn = batchNorm ? try BatchNorm2d(outChannels) : nil
        super.init()
        child("conv", conv)
        if let bn { child("bn", bn) }
    }
    public override func forward(_ x: Tensor) throws -> Tensor {
        var y = try conv(x)
        if let bn { y = try bn(y) }
        return y.leakyRelu(0.2)
    }
}

/// ConvTranspose2d(4×4, stride 2, pad 1) → BatchNorm → Dropout → ReLU: doubles the size.
public final class UpSampleConv: Module {
    public let deconv: ConvTranspose2d
    public let bn: BatchNorm2d
    public let drop: Dropout?
    public init(_ inChannels: Int, _ outChannels: Int, dropout: Float, generator: RandomGenerator = .global) throws {
        deconv = try ConvTranspose2d(inChannels, outChannels, kernel: 4, stride: 2, padding: 1, bias: false, generator: generator)
        bn = try BatchNorm2d(outChannels)
        drop = dropout > 0 ? try Dropout(dropout, generator: generator) : nil
        super.init()
        child("deconv", deconv); child("bn", bn)
        if let drop { child("drop", drop) }
    }
    public override func forward(_ x: Tensor) throws -> Tensor {
        var y = try bn(try deconv(x))
        if let drop { y = try drop(y) }
        return y.relu()
    }
}

public final class ResUNet: Module {
    public let config: ResUNetConfig
    public let encoders: [DownSampleConv], res: [ResBlock], decoders: [UpSampleConv]
    public let final: ConvTranspose2d

    public init(_ config: ResUNetConfig = ResUNetConfig(), generator: RandomGenerator = .global) throws {
        try checkPositive("ResUNet", ["in_channels": config.inChannels, "out_channels": config.outChannels,
                                      "base": config.base, "depth": config.depth, "max_multiplier": config.maxMultiplier])
        guard config.depth >= 2 else { throw TensorError("ResUNet: depth \(config.depth) must be at least 2") }
        self.config = config
        var enc: [DownSampleConv] = [], res: [ResBlock] = [], dec: [UpSampleConv] = []
        var prev = config.inChannels
        for i in 0..<config.depth {
            let w = config.width(i)
            enc.append(try DownSampleConv(prev, w, batchNorm: i > 0, generator: generator))
            res.append(try ResBlock(w, w, generator: generator))
            prev = w
        }
        for j in 0..<(config.depth - 1) {
            let w = config.width(config.depth - 2 - j)
            dec.append(try UpSampleConv(prev, w, dropout: config.dropout, generator: generator))
            prev = 2 * w
        }
        final = try ConvTranspose2d(prev, config.outChannels, kernel: 4, stride: 2, padding: 1, generator: generator)
        encoders = enc; self.res = res; decoders = dec
        super.init()
        child("encoders", ModuleList(enc))
        child("res", ModuleList(res))
        child("decoders", ModuleList(dec))
        child("final", final)
    }

    public override var details: String { "base \(config.base), depth \(config.depth)" }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try checkUNetInput(x, inChannels: config.inChannels, multiple: 1 << config.depth, model: "ResUNet")
        var skips: [Tensor] = []
        var y = x
        for (e, r) in zip(encoders, res) { y = try r(try e(y)); skips.append(y) }
        for (j, d) in decoders.enumerated() {
            y = try Tensor.concat([try d(y), skips[config.depth - 2 - j]], axis: 1)
        }
        return try final(y).tanh()
    }
}
