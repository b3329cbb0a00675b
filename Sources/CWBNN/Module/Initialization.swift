import CWBCore
import Foundation

/// Weight initialisations of the study's sources. Layers start with PyTorch's defaults
/// (uniform ±1/√fan_in); `initialize` re-draws them in place.
public enum Initialization: Sendable, Equatable {
    /// pix2pix: conv and linear weights N(0, std), BatchNorm weights N(1, std), biases 0.
    case normal(std: Float)
    /// He et al.: N(0, gain²/fan_in) with gain √(2/(1+slope²)) (slope 0 for ReLU), biases 0.
    case kaimingNormal(slope: Float)
}

/// Re-initialises every Conv2d, ConvTranspose2d, Linear and BatchNorm2d in `module`.
public func initialize(_ module: Module, _ scheme: Initialization, generator: RandomGenerator = .global) {
    for (_, m) in module.namedModules() {
        var weight: Tensor?, bias: Tensor?, fanIn = 1
        switch m {
        case let c as Conv2d: weight = c.weight; bias = c.bias; fanIn = c.weight.count / c.weight.shape[0]
        case let c as ConvTranspose2d: weight = c.weight; bias = c.bias; fanIn = c.weight.count / c.weight.shape[0]
        case let l as Linear: weight = l.weight; bias = l.bias; fanIn = l.weight.shape[1]
        case let b as BatchNorm2d:
            if case let .normal(std) = scheme {
                fill(b.weight, Tensor.normal(b.weight.shape, mean: 1, std: std, generator: generator))
            } else { fill(b.weight, Tensor.ones(b.weight.shape)) }
            fill(b.bias, Tensor.zeros(b.bias.shape))
            continue
        default: continue
        }
        guard let w = weight else { continue }
        let std: Float
        switch scheme {
        case let .normal(s): std = s
        case let .kaimingNormal(slope): std = (2 / (1 + slope * slope)).squareRoot() / Float(fanIn).squareRoot()
        }
        fill(w, Tensor.normal(w.shape, mean: 0, std: std, generator: generator))
        if let b = bias { fill(b, Tensor.zeros(b.shape)) }
    }
}

private func fill(_ target: Tensor, _ values: Tensor) {
    target.pointer.update(from: values.pointer, count: target.count)
}
