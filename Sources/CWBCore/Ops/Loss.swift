import Foundation

// Dropout and the loss primitives, written with differentiable ops.

/// Zeroes each element with probability `p` and scales the rest by 1/(1−p) in training;
/// the identity in evaluation.
public func dropout(_ x: Tensor, p: Float, training: Bool, generator: RandomGenerator = .global) throws -> Tensor {
    guard p >= 0 && p < 1 else { throw TensorError("dropout: probability \(p) must be in [0, 1)") }
    guard training && p > 0 else { return x }
    // One byte per element kept for backward (a Float mask would be 4).
    var kept = [UInt8](repeating: 0, count: x.count)
    kept.withUnsafeMutableBufferPointer { k in
        // Branch-free: whether an element is kept is a coin flip the CPU cannot predict.
        generator.withState { rng in for i in k.indices { k[i] = rng.nextFloat() >= p ? 1 : 0 } }
    }
    return x.masked(kept, scale: 1 / (1 - p))
}

extension Tensor {
    /// x·scale where `kept` is 1, 0 elsewhere: dropout's forward and, being linear in x with
    /// a constant mask, its own backward rule.
    func masked(_ kept: [UInt8], scale: Float) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let px = pointer, po = out.pointer
        kept.withUnsafeBufferPointer { mb in
            guard let base = mb.baseAddress else { return }   // no elements
            nonisolated(unsafe) let pm = base
            Parallel.forChunks(count, minChunk: Elementwise.parallelThreshold) { r in
                for i in r { po[i] = pm[i] != 0 ? px[i] * scale : 0 }
            }
        }
        return out.recorded("dropout", [self]) { g, _ in [g.masked(kept, scale: scale)] }
    }
}

func checkSameShape(_ op: String, _ a: Tensor, _ b: Tensor) throws {
    guard a.shape == b.shape else {
        throw TensorError("\(op): prediction \(shapeString(a.shape)) and target \(shapeString(b.shape)) differ in shape")
    }
}

/// Mean absolute error.
public func l1Loss(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
    try checkSameShape("l1", prediction, target)
    return (try prediction - target).abs().mean()
}

/// Mean squared error.
public func mseLoss(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
    try checkSameShape("mse", prediction, target)
    let d = try prediction - target
    return (try d * d).mean()
}

/// Binary cross-entropy on logits, in the stable form max(x,0) − x·y + log(1 + e^−|x|).
public func bceWithLogits(_ logits: Tensor, _ target: Tensor) throws -> Tensor {
    try checkSameShape("bce_with_logits", logits, target)
    let softplus = ((-logits.abs()).exp() + 1).log()
    return (try logits.relu() - (try logits * target) + softplus).mean()
}
