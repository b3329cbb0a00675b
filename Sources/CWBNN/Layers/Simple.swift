import CWBCore

// Layers without parameters, and Sequential.

public final class ReLU: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) throws -> Tensor { x.relu() }
}

public final class LeakyReLU: Module {
    public let slope: Float
    public init(_ slope: Float = 0.01) { self.slope = slope; super.init() }
    public override var details: String { "\(slope)" }
    public override func forward(_ x: Tensor) throws -> Tensor { x.leakyRelu(slope) }
}

public final class Tanh: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) throws -> Tensor { x.tanh() }
}

public final class Sigmoid: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) throws -> Tensor { x.sigmoid() }
}

/// Zeroes elements with probability `p` in training (scaling the rest by 1/(1−p)).
public final class Dropout: Module {
    public let p: Float
    public let generator: RandomGenerator
    public init(_ p: Float = 0.5, generator: RandomGenerator = .global) throws {
        guard p >= 0 && p < 1 else { throw TensorError("Dropout: probability \(p) must be in [0, 1)") }
        self.p = p; self.generator = generator
        super.init()
    }
    public override var details: String { "p=\(p)" }
    public override func forward(_ x: Tensor) throws -> Tensor {
        try dropout(x, p: p, training: isTraining, generator: generator)
    }
}

public final class MaxPool2d: Module {
    public let kernel: Pair, stride: Pair, padding: Pair
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) throws {
        try checkPositive("MaxPool2d", ["kernel_size": kernel, "stride": stride ?? kernel])
        self.kernel = (kernel, kernel); self.stride = (stride ?? kernel, stride ?? kernel); self.padding = (padding, padding)
        super.init()
    }
    public override var details: String { "\(kernel.0)×\(kernel.1), stride \(stride.0)" }
    public override func forward(_ x: Tensor) throws -> Tensor {
        try maxPool2d(x, kernel: kernel, stride: stride, padding: padding)
    }
}

public final class Upsample: Module {
    public let scale: Int
    public let mode: UpsampleMode
    public init(scale: Int, mode: UpsampleMode = .nearest) throws {
        try checkPositive("Upsample", ["scale_factor": scale])
        self.scale = scale; self.mode = mode
        super.init()
    }
    public override var details: String { "×\(scale), \(mode.rawValue)" }
    public override func forward(_ x: Tensor) throws -> Tensor { try upsample(x, scale: scale, mode: mode) }
}

/// Runs its layers in order; children are named "0", "1", … like `nn.Sequential`.
public final class Sequential: Module {
    public private(set) var layers: [Module] = []
    public init(_ layers: [Module]) {
        super.init()
        for l in layers { append(l) }
    }
    public convenience init(_ layers: Module...) { self.init(layers) }

    public func append(_ layer: Module) {
        child(String(layers.count), layer)
        layers.append(layer)
    }
    public var count: Int { layers.count }

    public override func forward(_ x: Tensor) throws -> Tensor {
        var y = x
        var i = 0
        while i < layers.count {
            if let bn = layers[i] as? BatchNorm2d, bn.evaluatesWithoutGraph(y), let (slope, next) = fusableActivation(after: i) {
                y = bn.evalWithoutGraph(y, thenLeakyRelu: slope)
                i = next
                continue
            }
            y = try layers[i](y)
            i += 1
        }
        return y
    }

    /// In inference, a batch norm followed by a ReLU or LeakyReLU (past eval-mode dropouts,
    /// which pass their input on) runs as one pass over the tensor: the (slope, index after the
    /// activation), or nil. Not while a summary records each layer's output.
    private func fusableActivation(after i: Int) -> (Float, Int)? {
        guard SummaryRecorder.current == nil else { return nil }
        var j = i + 1
        while j < layers.count, let d = layers[j] as? Dropout, !d.isTraining { j += 1 }
        guard j < layers.count else { return nil }
        if let a = layers[j] as? LeakyReLU { return (a.slope, j + 1) }
        if layers[j] is ReLU { return (0, j + 1) }
        return nil
    }
}

/// The residual block of the CWGAN generator: conv3×3–BN–ReLU–conv3×3–BN, plus the input
/// (through a 1×1 conv `shortcut` when the channel count changes), then ReLU.
/// Keys: `conv1`, `bn1`, `conv2`, `bn2`, optional `shortcut`.
public final class ResBlock: Module {
    public let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d
    public let shortcut: Conv2d?

    public init(_ inChannels: Int, _ outChannels: Int, generator: RandomGenerator = .global) throws {
        conv1 = try Conv2d(inChannels, outChannels, kernel: 3, padding: 1, bias: false, generator: generator)
        bn1 = try BatchNorm2d(outChannels)
        conv2 = try Conv2d(outChannels, outChannels, kernel: 3, padding: 1, bias: false, generator: generator)
        bn2 = try BatchNorm2d(outChannels)
        shortcut = inChannels == outChannels ? nil
            : try Conv2d(inChannels, outChannels, kernel: 1, bias: false, generator: generator)
        super.init()
        child("conv1", conv1); child("bn1", bn1); child("conv2", conv2); child("bn2", bn2)
        if let shortcut { child("shortcut", shortcut) }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let y = try bn2(try conv2(try bn1(try conv1(x)).relu()))
        let skip = try shortcut.map { try $0(x) } ?? x
        return try (y + skip).relu()
    }
}
