import CWBCore

/// An exponential moving average of a module's weights (Polyak averaging, the "EMA generator"
/// of GAN training): after every step, average ← decay·average + (1 − decay)·weights. A GAN's
/// generator keeps moving as its discriminator moves (its validation scores swing from epoch
/// to epoch); the average over the last ~1/(1 − decay) steps is steadier and usually better.
/// Float buffers (batch norm's running statistics) are averaged too; integer ones (the
/// batch counter) are copied.
public final class WeightAverage {
    public let decay: Float
    private let entries: [(key: String, live: Tensor, average: Tensor, dtype: DType)]

    public init(_ module: Module, decay: Float) throws {
        guard decay > 0 && decay < 1 else { throw TensorError("ema: decay must be in (0, 1), got \(decay)") }
        self.decay = decay
        entries = module.stateDict().map { ($0.key, $0.tensor, $0.tensor.copy(), $0.dtype) }
    }

    /// Restarts the average at the module's current weights.
    public func reset() {
        for e in entries { e.average.pointer.update(from: e.live.pointer, count: e.live.count) }
    }

    /// Folds the module's current weights into the average (call after each optimizer step).
    public func update() {
        let d = decay
        for e in entries {
            let a = e.average.pointer, w = e.live.pointer
            if e.dtype.isFloatingPoint { for i in 0..<e.live.count { a[i] = d * a[i] + (1 - d) * w[i] } }
            else { a.update(from: w, count: e.live.count) }
        }
    }

    /// Exchanges the module's weights with the average, in place (twice restores them).
    public func swap() {
        for e in entries {
            let a = e.average.pointer, w = e.live.pointer
            for i in 0..<e.live.count { let t = a[i]; a[i] = w[i]; w[i] = t }
        }
    }

    /// The average as a state_dict (for checkpoints), and back.
    public func stateDict() -> StateDict {
        var sd = StateDict()
        for e in entries { sd.set(e.key, e.average, dtype: e.dtype) }
        return sd
    }

    public func load(stateDict sd: StateDict) throws {
        for e in entries {
            guard let t = sd[e.key] else { throw TensorError("weight average: no \(e.key) in the checkpoint") }
            guard t.shape == e.average.shape else {
                throw TensorError("weight average: \(e.key) has shape \(t.shape) in the checkpoint, \(e.average.shape) in the model")
            }
        }
        for e in entries { try e.average.assign(sd[e.key]!) }
    }
}

extension DType {
    var isFloatingPoint: Bool {
        switch self {
        case .f32, .f64, .f16, .bf16: true
        default: false
        }
    }
}
