import CWBCore

/// The U-Net family of the study's final model, the benchmark reference and pix2pix's
/// generator: L N×1×H×W in, ab N×2×H×W out (tanh range).
///
/// Encoder block i (keys `down.i.*`): Conv2d(k×k, stride 2, pad (k−1)/2, no bias) → BatchNorm
/// (not on the first) → LeakyReLU → Dropout. Decoder block j (`up.j.*`): ConvTranspose2d(4×4,
/// stride 2, pad 1, no bias) → BatchNorm → Dropout (first `decoderDropoutBlocks` blocks) → ReLU,
/// then concatenation with the matching encoder output. `final`: ConvTranspose2d(4×4, s2, p1,
/// with bias) to `outChannels`, then tanh. Widths are base·2^i capped at base·maxMultiplier.
public struct UNetConfig: Sendable, Equatable {
    public var inChannels = 1, outChannels = 2
    public var base = 64, depth = 5, maxMultiplier = 8
    public var kernel = 5
    public var slope: Float = 0.2
    public var encoderDropout: Float = 0.2
    public var decoderDropout: Float = 0.5
    public var decoderDropoutBlocks = 2

    public init(inChannels: Int = 1, outChannels: Int = 2, base: Int = 64, depth: Int = 5, maxMultiplier: Int = 8,
                kernel: Int = 5, slope: Float = 0.2, encoderDropout: Float = 0.2, decoderDropout: Float = 0.5,
                decoderDropoutBlocks: Int = 2) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.base = base; self.depth = depth
        self.maxMultiplier = maxMultiplier; self.kernel = kernel; self.slope = slope
        self.encoderDropout = encoderDropout; self.decoderDropout = decoderDropout
        self.decoderDropoutBlocks = decoderDropoutBlocks
    }

    /// The study's final U-Net and issue 6's benchmark reference (20 564 162 parameters).
    public static let reference = UNetConfig()

    /// pix2pix's generator (TensorFlow tutorial form): 4×4 convs, no encoder dropout,
    /// dropout 0.5 in the first three decoder blocks; depth 8 for 256×256 input.
    public static func pix2pix(base: Int = 64, depth: Int = 8) -> UNetConfig {
        UNetConfig(base: base, depth: depth, kernel: 4, encoderDropout: 0, decoderDropout: 0.5, decoderDropoutBlocks: 3)
    }

    public func width(_ level: Int) -> Int { base * Swift.min(1 << level, maxMultiplier) }

    /// Input sides must be multiples of this.
    public var sizeMultiple: Int { 1 << depth }

    func validate(_ model: String) throws {
        try checkPositive(model, ["in_channels": inChannels, "out_channels": outChannels, "base": base,
                                  "depth": depth, "max_multiplier": maxMultiplier, "kernel": kernel])
        guard depth >= 2 else { throw TensorError("\(model): depth \(depth) must be at least 2") }
        guard decoderDropoutBlocks >= 0 else { throw TensorError("\(model): decoder_dropout_blocks must be ≥ 0") }
    }
}

public final class UNet: Module {
    public let config: UNetConfig
    public let down: [Sequential]
    public let up: [Sequential]
    public let final: ConvTranspose2d

    public init(_ config: UNetConfig = .reference, generator: RandomGenerator = .global) throws {
        try config.validate("UNet")
        self.config = config
        let c = config
        var down: [Sequential] = []
        var prev = c.inChannels
        for i in 0..<c.depth {
            let w = c.width(i)
            var layers: [Module] = [try Conv2d(prev, w, kernel: c.kernel, stride: 2, padding: (c.kernel - 1) / 2, bias: false, generator: generator)]
            if i > 0 { layers.append(try BatchNorm2d(w)) }
            layers.append(LeakyReLU(c.slope))
            if c.encoderDropout > 0 { layers.append(try Dropout(c.encoderDropout, generator: generator)) }
            down.append(Sequential(layers))
            prev = w
        }
        var up: [Sequential] = []
        for j in 0..<(c.depth - 1) {
            let w = c.width(c.depth - 2 - j)
            var layers: [Module] = [try ConvTranspose2d(prev, w, kernel: 4, stride: 2, padding: 1, bias: false, generator: generator),
                                    try BatchNorm2d(w)]
            if j < c.decoderDropoutBlocks && c.decoderDropout > 0 { layers.append(try Dropout(c.decoderDropout, generator: generator)) }
            layers.append(ReLU())
            up.append(Sequential(layers))
            prev = 2 * w
        }
        final = try ConvTranspose2d(prev, c.outChannels, kernel: 4, stride: 2, padding: 1, bias: true, generator: generator)
        self.down = down; self.up = up
        super.init()
        let downList = child("down", ModuleList(down))
        let upList = child("up", ModuleList(up))
        _ = (downList, upList)
        child("final", final)
    }

    public override var details: String { "base \(config.base), depth \(config.depth), kernel \(config.kernel)" }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try checkUNetInput(x, inChannels: config.inChannels, multiple: config.sizeMultiple, model: "UNet")
        var skips: [Tensor] = []
        var y = x
        for d in down { y = try d(y); skips.append(y) }
        for (j, u) in up.enumerated() {
            y = try Tensor.concat([try u(y), skips[config.depth - 2 - j]], axis: 1)
        }
        return try final(y).tanh()
    }
}

/// A list of modules named "0", "1", … (PyTorch's `nn.ModuleList`); it has no forward.
public final class ModuleList: Module {
    public let items: [Module]
    public init(_ items: [Module]) {
        self.items = items
        super.init()
        for (i, m) in items.enumerated() { child(String(i), m) }
    }
}

func checkUNetInput(_ x: Tensor, inChannels: Int, multiple: Int, model: String) throws {
    guard x.rank == 4, x.shape[1] == inChannels else {
        throw TensorError("\(model): input must be N×\(inChannels)×H×W, got \(shapeText(x.shape))")
    }
    guard x.shape[2] % multiple == 0, x.shape[3] % multiple == 0, x.shape[2] > 0, x.shape[3] > 0 else {
        throw TensorError("\(model): height and width must be multiples of \(multiple) for this depth, got \(x.shape[2])×\(x.shape[3])")
    }
}
