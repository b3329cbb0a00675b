import Foundation

// Batch and instance normalisation share one primitive: normalise x viewed as (A, C, B) with
// statistics per C over A·B elements (batch norm: A = N, C = channels, B = H·W; instance norm:
// A = 1, C = N·channels), then scale and shift per channel — one pass forward, one fused pass
// backward. When the backward pass is itself recorded (createGraph), the rule differentiates
// the same function written with differentiable ops instead, so a critic with instance norm
// has exact second derivatives.

struct ChannelStats {
    var mean: [Float]
    var biasedVariance: [Float]
    var invStd: [Float]
}

/// Per-channel scale and shift of the normalised values, indexed by the C of the (A, C, B)
/// view (instance norm repeats the per-feature γ, β for every sample).
struct ChannelAffine {
    let weight: Tensor?, bias: Tensor?
    /// Feature index of view channel `c`.
    let features: Int
    @inline(__always) func gamma(_ c: Int) -> Float { weight.map { $0.pointer[c % features] } ?? 1 }
    @inline(__always) func beta(_ c: Int) -> Float { bias.map { $0.pointer[c % features] } ?? 0 }
}

extension Tensor {
    /// y = (x − mean) / sqrt(var + eps) · γ + β per channel of the (a, c, b) view.
    func normalizedChannels(a: Int, c: Int, b: Int, eps: Float, affine: ChannelAffine) -> (Tensor, ChannelStats) {
        let out = Tensor.uninitialized(shape)
        var stats = ChannelStats(mean: .init(repeating: 0, count: c), biasedVariance: .init(repeating: 0, count: c),
                                 invStd: .init(repeating: 0, count: c))
        let px = pointer, po = out.pointer
        let n = Double(a * b)
        stats.mean.withUnsafeMutableBufferPointer { mb in
        stats.biasedVariance.withUnsafeMutableBufferPointer { vb in
        stats.invStd.withUnsafeMutableBufferPointer { rb in
            nonisolated(unsafe) let pm = mb.baseAddress!, pv = vb.baseAddress!, pr = rb.baseAddress!
            Parallel.forChunks(c, minChunk: Swift.max(1, 1 << 14 / Swift.max(a * b, 1))) { channels in
                for ch in channels {
                    var s = 0.0
                    for i in 0..<a { let row = px + (i * c + ch) * b; for k in 0..<b { s += Double(row[k]) } }
                    let mean = s / n
                    var ss = 0.0
                    for i in 0..<a { let row = px + (i * c + ch) * b; for k in 0..<b { let d = Double(row[k]) - mean; ss += d * d } }
                    let v = ss / n, r = 1 / (v + Double(eps)).squareRoot()
                    pm[ch] = Float(mean); pv[ch] = Float(v); pr[ch] = Float(r)
                    // y = x·scale + shift with scale = γ·r, shift = β − mean·γ·r.
                    let scale = affine.gamma(ch) * Float(r), shift = affine.beta(ch) - Float(mean) * scale
                    for i in 0..<a {
                        let src = px + (i * c + ch) * b, dst = po + (i * c + ch) * b
                        for k in 0..<b { dst[k] = src[k] * scale + shift }
                    }
                }
            }
        }}}
        let mean = stats.mean, invStd = stats.invStd
        let inputs = [self] + [affine.weight, affine.bias].compactMap { $0 }
        out.recorded("normalize", inputs) { g, ctx in
            if ctx.createGraph {
                return try Tensor.normalizeComposite(self, a: a, c: c, b: b, eps: eps, affine: affine, gradient: g)
            }
            return Tensor.normalizeBackwardFused(g, self, mean, invStd, a: a, c: c, b: b, affine: affine, needs: ctx)
        }
        return (out, stats)
    }

    /// dx = γ·r·(g − mean(g) − x̂·mean(g·x̂)), dγ = Σ g·x̂, dβ = Σ g; two passes per channel.
    static func normalizeBackwardFused(_ g: Tensor, _ x: Tensor, _ mean: [Float], _ invStd: [Float],
                                       a: Int, c: Int, b: Int, affine: ChannelAffine, needs: BackwardContext) -> [Tensor?] {
        let dx = Tensor.uninitialized(g.shape)
        var sumG = [Double](repeating: 0, count: c), sumGX = [Double](repeating: 0, count: c)
        let pg = g.pointer, px = x.pointer, pd = dx.pointer
        let n = Double(a * b)
        mean.withUnsafeBufferPointer { mb in invStd.withUnsafeBufferPointer { rb in
        sumG.withUnsafeMutableBufferPointer { sgb in sumGX.withUnsafeMutableBufferPointer { sxb in
            nonisolated(unsafe) let pm = mb.baseAddress!, pr = rb.baseAddress!, psg = sgb.baseAddress!, psx = sxb.baseAddress!
            Parallel.forChunks(c, minChunk: Swift.max(1, 1 << 14 / Swift.max(a * b, 1))) { channels in
                for ch in channels {
                    let m = pm[ch], r = pr[ch]
                    var sg = 0.0, sgx = 0.0
                    for i in 0..<a {
                        let gr = pg + (i * c + ch) * b, xr = px + (i * c + ch) * b
                        var fg: Float = 0, fgx: Float = 0
                        for k in 0..<b { fg += gr[k]; fgx += gr[k] * (xr[k] - m) }
                        sg += Double(fg); sgx += Double(fgx) * Double(r)
                    }
                    psg[ch] = sg; psx[ch] = sgx
                    let gamma = affine.gamma(ch)
                    let mg = Float(sg / n), mgx = Float(sgx / n), k1 = gamma * r
                    for i in 0..<a {
                        let gr = pg + (i * c + ch) * b, xr = px + (i * c + ch) * b, dr = pd + (i * c + ch) * b
                        for k in 0..<b { dr[k] = k1 * (gr[k] - mg - (xr[k] - m) * r * mgx) }
                    }
                }
            }
        }}}}
        var grads: [Tensor?] = [needs.needs(0) ? dx : nil]
        // γ and β gradients: per feature, summed over the view channels that share it.
        func perFeature(_ sums: [Double]) -> Tensor {
            let t = Tensor.zeros([affine.features])
            for ch in 0..<c { t.pointer[ch % affine.features] += Float(sums[ch]) }
            return t
        }
        var index = 1
        if affine.weight != nil { grads.append(needs.needs(index) ? perFeature(sumGX) : nil); index += 1 }
        if affine.bias != nil { grads.append(needs.needs(index) ? perFeature(sumG) : nil) }
        return grads
    }

    /// The same function in differentiable ops, differentiated with a recorded graph: the
    /// gradients of ⟨normalize(x)·γ + β, g⟩ with respect to x, γ, β.
    static func normalizeComposite(_ x: Tensor, a: Int, c: Int, b: Int, eps: Float, affine: ChannelAffine,
                                   gradient g: Tensor) throws -> [Tensor?] {
        let x3 = try x.reshape([a, c, b])
        let centered = try x3 - (try x3.mean(axes: [0, 2], keepDims: true))
        let r = (try (centered * centered).mean(axes: [0, 2], keepDims: true) + eps).pow(-0.5)
        var y = try centered * r
        // Per-feature γ, β repeated to the view's channels: (N·C) = N copies of C.
        let copies = c / affine.features
        func perChannel(_ t: Tensor) throws -> Tensor {
            try t.reshape([1, 1, affine.features, 1]).expand([1, copies, affine.features, 1]).reshape([1, c, 1])
        }
        if let w = affine.weight { y = try y * perChannel(w) }
        if let bias = affine.bias { y = try y + perChannel(bias) }
        let wrt = [x] + [affine.weight, affine.bias].compactMap { $0 }
        return try CWBCore.grad(of: try y.reshape(x.shape), wrt: wrt, gradient: g, createGraph: true)
    }
}

/// Batch normalisation of N×C×… input. In training it normalises with the batch statistics
/// and updates the running statistics in place (momentum as PyTorch: new = (1−m)·old + m·batch,
/// with the unbiased batch variance); in evaluation it uses the running statistics.
public func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                      training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) throws -> Tensor {
    guard x.rank >= 2 else { throw TensorError("batch_norm: input must be N×C×…, got \(shapeString(x.shape))") }
    let c = x.shape[1], spatial = x.shape[2...].reduce(1, *)
    for (name, t) in [("running_mean", runningMean), ("running_var", runningVar), ("weight", weight), ("bias", bias)] {
        if let t, t.shape != [c] { throw TensorError("batch_norm: \(name) \(shapeString(t.shape)) must be [\(c)] for input \(shapeString(x.shape))") }
    }
    let bshape = [1, c] + [Int](repeating: 1, count: x.rank - 2)
    if training {
        let n = x.shape[0] * spatial
        guard n > 1 else { throw TensorError("batch_norm: training needs more than one value per channel, got input \(shapeString(x.shape))") }
        let (y, stats) = x.normalizedChannels(a: x.shape[0], c: c, b: spatial, eps: eps,
                                               affine: ChannelAffine(weight: weight, bias: bias, features: c))
        if let rm = runningMean, let rv = runningVar {
            let unbias = Float(n) / Float(n - 1)
            for i in 0..<c {
                rm.pointer[i] = (1 - momentum) * rm.pointer[i] + momentum * stats.mean[i]
                rv.pointer[i] = (1 - momentum) * rv.pointer[i] + momentum * stats.biasedVariance[i] * unbias
            }
        }
        return y
    }
    guard let rm = runningMean, let rv = runningVar else {
        throw TensorError("batch_norm: evaluation mode needs running_mean and running_var")
    }
    var y = try (x - rm.reshape(bshape)) * (rv.detached() + eps).pow(-0.5).reshape(bshape)
    if let weight { y = try y * weight.reshape(bshape) }
    if let bias { y = try y + bias.reshape(bshape) }
    return y
}

/// Instance normalisation: statistics per sample and channel over the spatial axes.
public func instanceNorm(_ x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) throws -> Tensor {
    guard x.rank >= 3 else { throw TensorError("instance_norm: input must be N×C×…, got \(shapeString(x.shape))") }
    let c = x.shape[1], spatial = x.shape[2...].reduce(1, *)
    guard spatial > 1 else { throw TensorError("instance_norm: needs more than one spatial value per channel, got input \(shapeString(x.shape))") }
    for (name, t) in [("weight", weight), ("bias", bias)] {
        if let t, t.shape != [c] { throw TensorError("instance_norm: \(name) \(shapeString(t.shape)) must be [\(c)] for input \(shapeString(x.shape))") }
    }
    return x.normalizedChannels(a: 1, c: x.shape[0] * c, b: spatial, eps: eps,
                                affine: ChannelAffine(weight: weight, bias: bias, features: c)).0
}
