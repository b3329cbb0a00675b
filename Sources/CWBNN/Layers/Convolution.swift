import CWBCore
import Foundation

/// PyTorch's `nn.Conv2d` (groups = 1): `weight` O×C×kh×kw, optional `bias` O.
/// Initialised as PyTorch does (uniform ±1/√fan_in for weight and bias), so a fresh model
/// behaves like a fresh PyTorch one.
public final class Conv2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Pair, padding: Pair, dilation: Pair

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Pair, stride: Pair = (1, 1),
                padding: Pair = (0, 0), dilation: Pair = (1, 1), bias: Bool = true,
                generator: RandomGenerator = .global) throws {
        try checkPositive("Conv2d", ["in_channels": inChannels, "out_channels": outChannels,
                                     "kernel height": kernel.0, "kernel width": kernel.1])
        self.stride = stride; self.padding = padding; self.dilation = dilation
        (weight, self.bias) = defaultInitialized([outChannels, inChannels, kernel.0, kernel.1], fanIn: inChannels * kernel.0 * kernel.1,
                                                 bias: bias ? outChannels : nil, generator: generator)
        super.init()
        parameter("weight", weight)
        if let b = self.bias { parameter("bias", b) }
    }

    /// Square kernel, stride and padding.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                            bias: Bool = true, generator: RandomGenerator = .global) throws {
        try self.init(inChannels, outChannels, kernel: (kernel, kernel), stride: (stride, stride),
                      padding: (padding, padding), bias: bias, generator: generator)
    }

    public override var details: String {
        "\(weight.shape[1])→\(weight.shape[0]), \(weight.shape[2])×\(weight.shape[3]), stride \(stride.0), pad \(padding.0)" + (bias == nil ? ", no bias" : "")
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try conv2d(x, weight, bias: bias, stride: stride, padding: padding, dilation: dilation)
    }
}

/// PyTorch's `nn.ConvTranspose2d` (groups = 1): `weight` Cin×Cout×kh×kw, optional `bias` Cout.
public final class ConvTranspose2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Pair, padding: Pair, outputPadding: Pair, dilation: Pair

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Pair, stride: Pair = (1, 1),
                padding: Pair = (0, 0), outputPadding: Pair = (0, 0), dilation: Pair = (1, 1),
                bias: Bool = true, generator: RandomGenerator = .global) throws {
        try checkPositive("ConvTranspose2d", ["in_channels": inChannels, "out_channels": outChannels,
                                              "kernel height": kernel.0, "kernel width": kernel.1])
        self.stride = stride; self.padding = padding; self.outputPadding = outputPadding; self.dilation = dilation
        // PyTorch computes fan_in from weight.size(1), which is Cout for a transposed conv.
        (weight, self.bias) = defaultInitialized([inChannels, outChannels, kernel.0, kernel.1], fanIn: outChannels * kernel.0 * kernel.1,
                                                 bias: bias ? outChannels : nil, generator: generator)
        super.init()
        parameter("weight", weight)
        if let b = self.bias { parameter("bias", b) }
    }

    public convenience init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, bias: Bool = true, generator: RandomGenerator = .global) throws {
        try self.init(inChannels, outChannels, kernel: (kernel, kernel), stride: (stride, stride),
                      padding: (padding, padding), outputPadding: (outputPadding, outputPadding),
                      bias: bias, generator: generator)
    }

    public override var details: String {
        "\(weight.shape[0])→\(weight.shape[1]), \(weight.shape[2])×\(weight.shape[3]), stride \(stride.0), pad \(padding.0)" + (bias == nil ? ", no bias" : "")
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try convTranspose2d(x, weight, bias: bias, stride: stride, padding: padding,
                            outputPadding: outputPadding, dilation: dilation)
    }
}

/// PyTorch's `nn.Linear`: `weight` out×in, `bias` out; input N×in.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: RandomGenerator = .global) throws {
        try checkPositive("Linear", ["in_features": inFeatures, "out_features": outFeatures])
        (weight, self.bias) = defaultInitialized([outFeatures, inFeatures], fanIn: inFeatures,
                                                 bias: bias ? outFeatures : nil, generator: generator)
        super.init()
        parameter("weight", weight)
        if let b = self.bias { parameter("bias", b) }
    }

    public override var details: String { "\(weight.shape[1])→\(weight.shape[0])" }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2, x.shape[1] == weight.shape[1] else {
            throw TensorError("Linear(\(details)): input must be N×\(weight.shape[1]), got \(shapeText(x.shape))")
        }
        let y = try x.matmul(try weight.t())
        guard let bias else { return y }
        return try y + bias
    }
}

func checkPositive(_ layer: String, _ values: KeyValuePairs<String, Int>) throws {
    for (name, v) in values where v <= 0 {
        throw TensorError("\(layer): \(name) must be positive, got \(v)")
    }
}

/// PyTorch's default initialisation of a conv or linear layer: weight and bias (when wanted,
/// of `bias` elements) uniform in ±1/√fan_in, the weight drawn first.
func defaultInitialized(_ weightShape: [Int], fanIn: Int, bias: Int?, generator: RandomGenerator) -> (Tensor, Tensor?) {
    let bound = 1 / Float(fanIn).squareRoot()
    let weight = Tensor.uniform(weightShape, low: -bound, high: bound, generator: generator)
    return (weight, bias.map { Tensor.uniform([$0], low: -bound, high: bound, generator: generator) })
}
