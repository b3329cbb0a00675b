import CWBCore
import Foundation

/// Base of the optimizers: updates named parameters in place from their `.grad`, following
/// PyTorch's update rules exactly (tests compare a few steps with PyTorch to 1e-5).
/// Weight decay is PyTorch's L2 form (added to the gradient). `clipNorm`, when set, rescales
/// all gradients together so their global L2 norm is at most that value before each step.
/// State (moments, step count) saves and loads through `stateDict()` for resuming.
/// One step count is shared by all parameters (PyTorch counts per parameter; they differ only
/// for parameters that sometimes get no gradient).
open class Optimizer {
    public let parameters: [(name: String, tensor: Tensor)]
    public var learningRate: Float
    public var weightDecay: Float
    public var clipNorm: Float?
    /// Number of `step()` calls made (PyTorch's `step` state).
    public internal(set) var stepCount = 0
    /// Per-parameter state tensors by state name ("momentum_buffer", "exp_avg", …).
    var state: [String: [Tensor]] = [:]

    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Float, weightDecay: Float, clipNorm: Float?) throws {
        guard learningRate >= 0, learningRate.isFinite else { throw TensorError("optimizer: learning rate \(learningRate) must be ≥ 0") }
        guard weightDecay >= 0 else { throw TensorError("optimizer: weight decay \(weightDecay) must be ≥ 0") }
        if let c = clipNorm, !(c > 0) { throw TensorError("optimizer: clip norm \(c) must be > 0") }
        self.parameters = parameters
        self.learningRate = learningRate; self.weightDecay = weightDecay; self.clipNorm = clipNorm
    }

    open var typeName: String { String(describing: type(of: self)) }
    /// Names of the per-parameter state tensors this optimizer keeps.
    open var stateNames: [String] { [] }

    public func zeroGrad() { for p in parameters { p.tensor.zeroGrad() } }

    /// One update of every parameter that has a gradient.
    public func step() throws {
        // Check every gradient first, so a mistake leaves all parameters untouched.
        for p in parameters {
            if let g = p.tensor.grad, g.shape != p.tensor.shape {
                throw TensorError("\(typeName): gradient \(shapeText(g.shape)) of \(p.name) does not match its shape \(shapeText(p.tensor.shape))")
            }
        }
        if let c = clipNorm { clipGradNorm(parameters.map(\.tensor), maxNorm: c) }
        stepCount += 1
        for name in stateNames where state[name] == nil {
            state[name] = parameters.map { Tensor.zeros($0.tensor.shape) }
        }
        for (i, p) in parameters.enumerated() {
            guard let g = p.tensor.grad else { continue }
            // Elementwise, so large parameters are updated on every core in chunks.
            let param = p.tensor.pointer, grad = g.pointer
            Parallel.forChunks(g.count, minChunk: 1 << 16) { range in
                self.update(index: i, param: param, grad: grad, range: range)
            }
        }
    }

    /// Updates elements `range` of parameter `index` in place (called for chunks of a large
    /// parameter concurrently, so it may touch only those elements of it and of its state).
    open func update(index: Int, param: UnsafeMutablePointer<Float>, grad: UnsafeMutablePointer<Float>, range: Range<Int>) {}

    func statePointer(_ name: String, _ index: Int) -> UnsafeMutablePointer<Float> { state[name]![index].pointer }

    /// `step` (I64) and `<state>.<parameter name>` for every state tensor.
    public func stateDict() -> StateDict {
        var sd = StateDict()
        sd.set("step", Tensor(Float(stepCount)), dtype: .i64)
        for name in stateNames {
            guard let ts = state[name] else { continue }
            for (p, t) in zip(parameters, ts) { sd.set("\(name).\(p.name)", t) }
        }
        return sd
    }

    public func load(stateDict sd: StateDict) throws {
        guard let s = sd["step"] else { throw TensorError("\(typeName) state: no \"step\" entry") }
        var loaded: [String: [Tensor]] = [:]
        for name in stateNames {
            let present = parameters.filter { sd["\(name).\($0.name)"] != nil }
            if present.isEmpty { continue }   // no state yet (saved before the first step)
            var ts: [Tensor] = []
            for p in parameters {
                guard let t = sd["\(name).\(p.name)"] else { throw TensorError("\(typeName) state: missing \(name).\(p.name)") }
                guard t.shape == p.tensor.shape else {
                    throw TensorError("\(typeName) state: \(name).\(p.name) has shape \(shapeText(t.shape)), parameter has \(shapeText(p.tensor.shape))")
                }
                ts.append(t.copy())
            }
            loaded[name] = ts
        }
        let step = try s.item()
        guard step.isFinite, step >= 0, step < 1e15, step == step.rounded() else {
            throw TensorError("\(typeName) state: step \(step) is not a step count")
        }
        stepCount = Int(step)
        state = loaded
    }
}

/// Rescales the gradients so that their global L2 norm is at most `maxNorm`
/// (PyTorch's `clip_grad_norm_`); returns the norm before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total: Double = 0
    for p in parameters {
        guard let g = p.grad else { continue }
        let q = g.pointer
        for i in 0..<g.count { total += Double(q[i]) * Double(q[i]) }
    }
    let norm = Float(total.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 {
        for p in parameters {
            guard let g = p.grad else { continue }
            let q = g.pointer
            for i in 0..<g.count { q[i] *= coef }
        }
    }
    return norm
}

/// SGD with optional momentum (dampening 0) and Nesterov momentum, as `torch.optim.SGD`.
public final class SGD: Optimizer {
    public let momentum: Float, nesterov: Bool

    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Float, momentum: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0, clipNorm: Float? = nil) throws {
        guard momentum >= 0 else { throw TensorError("SGD: momentum \(momentum) must be ≥ 0") }
        guard !nesterov || momentum > 0 else { throw TensorError("SGD: Nesterov needs momentum > 0") }
        self.momentum = momentum; self.nesterov = nesterov
        try super.init(parameters, learningRate: learningRate, weightDecay: weightDecay, clipNorm: clipNorm)
    }

    public override var stateNames: [String] { momentum > 0 ? ["momentum_buffer"] : [] }

    public override func update(index: Int, param p: UnsafeMutablePointer<Float>, grad g: UnsafeMutablePointer<Float>, range: Range<Int>) {
        let lr = learningRate, wd = weightDecay, mu = momentum
        guard mu > 0 else {
            for i in range { p[i] -= lr * (g[i] + wd * p[i]) }
            return
        }
        let b = statePointer("momentum_buffer", index)
        let first = stepCount == 1
        for i in range {
            let d = g[i] + wd * p[i]
            b[i] = first ? d : mu * b[i] + d
            p[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
        }
    }
}

/// What Adam and RAdam share: β1, β2, ε, and the two moment estimates they keep per parameter.
public class MomentOptimizer: Optimizer {
    public let beta1: Float, beta2: Float, eps: Float

    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0, clipNorm: Float? = nil) throws {
        try checkBetas(String(describing: Self.self), beta1, beta2)
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        try super.init(parameters, learningRate: learningRate, weightDecay: weightDecay, clipNorm: clipNorm)
    }

    public override var stateNames: [String] { ["exp_avg", "exp_avg_sq"] }

    typealias Lanes = SIMD8<Float>

    /// Updates elements `range` of parameter `index`: the moments from the decayed gradient
    /// d = g + wd·p (m ← β1·m + (1−β1)·d, v ← β2·v + (1−β2)·d²), then p ← p − step(m, v), the
    /// step being what Adam and RAdam differ in. Eight lanes at a time (the tail padded with
    /// zeros, only its real lanes written back), so it compiles to packed sqrt/div/mul: the
    /// scalar loop took ~6 % of a U-Net training step, about twice its memory traffic.
    @inline(__always)
    func updateMoments(index: Int, param p: UnsafeMutablePointer<Float>, grad g: UnsafeMutablePointer<Float>,
                       range: Range<Int>, step: (_ m: Lanes, _ v: Lanes) -> Lanes) {
        let m = statePointer("exp_avg", index), v = statePointer("exp_avg_sq", index)
        let wd = weightDecay, b1 = beta1, b2 = beta2
        func update(_ pl: inout Lanes, _ gl: Lanes, _ ml: inout Lanes, _ vl: inout Lanes) {
            let d = gl + wd * pl
            ml = b1 * ml + (1 - b1) * d
            vl = b2 * vl + (1 - b2) * d * d
            pl -= step(ml, vl)
        }
        func load(_ q: UnsafeMutablePointer<Float>, _ i: Int) -> Lanes { UnsafeRawPointer(q + i).loadUnaligned(as: Lanes.self) }
        func store(_ x: Lanes, _ q: UnsafeMutablePointer<Float>, _ i: Int) { UnsafeMutableRawPointer(q + i).storeBytes(of: x, as: Lanes.self) }
        var i = range.lowerBound
        while i + Lanes.scalarCount <= range.upperBound {
            var pl = load(p, i), ml = load(m, i), vl = load(v, i)
            update(&pl, load(g, i), &ml, &vl)
            store(pl, p, i); store(ml, m, i); store(vl, v, i)
            i += Lanes.scalarCount
        }
        guard i < range.upperBound else { return }
        var pl = Lanes(), gl = Lanes(), ml = Lanes(), vl = Lanes()
        for k in 0..<(range.upperBound - i) { pl[k] = p[i + k]; gl[k] = g[i + k]; ml[k] = m[i + k]; vl[k] = v[i + k] }
        update(&pl, gl, &ml, &vl)
        for k in 0..<(range.upperBound - i) { p[i + k] = pl[k]; m[i + k] = ml[k]; v[i + k] = vl[k] }
    }
}

/// Adam as `torch.optim.Adam` (L2 weight decay, bias-corrected moments).
public final class Adam: MomentOptimizer {

    public override func update(index: Int, param p: UnsafeMutablePointer<Float>, grad g: UnsafeMutablePointer<Float>, range: Range<Int>) {
        let t = Double(stepCount)
        let bc1 = 1 - pow(Double(beta1), t), bc2 = 1 - pow(Double(beta2), t)
        let stepSize = Float(Double(learningRate) / bc1), sqrtBc2 = Float(bc2.squareRoot())
        let eps = eps
        updateMoments(index: index, param: p, grad: g, range: range) { m, v in
            stepSize * m / (v.squareRoot() / sqrtBc2 + eps)
        }
    }
}

/// Rectified Adam as `torch.optim.RAdam`: plain momentum SGD while the variance estimate is
/// unreliable (ρ_t ≤ 5), rectified adaptive steps after.
public final class RAdam: MomentOptimizer {

    public override func update(index: Int, param p: UnsafeMutablePointer<Float>, grad g: UnsafeMutablePointer<Float>, range: Range<Int>) {
        let t = Double(stepCount), b2d = Double(beta2)
        let bc1 = 1 - pow(Double(beta1), t), bc2 = 1 - pow(b2d, t)
        let rhoInf = 2 / (1 - b2d) - 1
        let rhoT = rhoInf - 2 * t * pow(b2d, t) / bc2
        let eps = eps
        let lrOverBc1 = Float(Double(learningRate) / bc1)
        if rhoT > 5 {
            let rect = ((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)).squareRoot()
            let scale = Float(Double(learningRate) / bc1 * rect * bc2.squareRoot())
            updateMoments(index: index, param: p, grad: g, range: range) { m, v in scale * m / (v.squareRoot() + eps) }
        } else {
            updateMoments(index: index, param: p, grad: g, range: range) { m, _ in lrOverBc1 * m }
        }
    }
}

private func checkBetas(_ name: String, _ b1: Float, _ b2: Float) throws {
    guard (0..<1).contains(b1), (0..<1).contains(b2) else {
        throw TensorError("\(name): betas (\(b1), \(b2)) must be in [0, 1)")
    }
}
