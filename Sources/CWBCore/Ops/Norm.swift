import Foundation

// Batch and instance normalisation share one primitive: normalise x viewed as (A, C, B) with
// statistics per C over A·B elements (batch norm: A = N, C = channels, B = H·W; instance norm:
// A = 1, C = N·channels). Its backward is one fused pass when no graph is being built, and
// differentiable ops otherwise (so a critic with instance norm has second derivatives).

struct ChannelStats {
    var mean: [Float]
    var biasedVariance: [Float]
    var invStd: [Float]
}

extension Tensor {
    /// x̂ = (x − mean) / sqrt(var + eps) per channel of the (a, c, b) view.
    func normalizedChannels(a: Int, c: Int, b: Int, eps: Float) -> (Tensor, ChannelStats) {
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
                    let m = Float(mean), rf = Float(r)
                    for i in 0..<a {
                        let src = px + (i * c + ch) * b, dst = po + (i * c + ch) * b
                        for k in 0..<b { dst[k] = (src[k] - m) * rf }
                    }
                }
            }
        }}}
        let invStd = stats.invStd
        let view = [a, c, b]
        out.recorded("normalize", [self]) { g, out, ctx in
            if !ctx.createGraph { return [Tensor.normalizeBackwardFused(g, out, invStd, a: a, c: c, b: b)] }
            // dx = r·(g − mean(g) − x̂·mean(g·x̂)), with r recomputed from x so it is differentiable.
            let x3 = try self.reshape(view), g3 = try g.reshape(view), xh = try out.reshape(view)
            let r = (try x3.variance(axes: [0, 2], unbiased: false, keepDims: true) + eps).pow(-0.5)
            let inner = try g3 - (try g3.mean(axes: [0, 2], keepDims: true)) - (try xh * (try (g3 * xh).mean(axes: [0, 2], keepDims: true)))
            return [try (r * inner).reshape(self.shape)]
        }
        return (out, stats)
    }

    static func normalizeBackwardFused(_ g: Tensor, _ xhat: Tensor, _ invStd: [Float], a: Int, c: Int, b: Int) -> Tensor {
        let out = Tensor.uninitialized(g.shape)
        let pg = g.pointer, px = xhat.pointer, po = out.pointer
        let n = Double(a * b)
        invStd.withUnsafeBufferPointer { rb in
            nonisolated(unsafe) let pr = rb.baseAddress!
            Parallel.forChunks(c, minChunk: Swift.max(1, 1 << 14 / Swift.max(a * b, 1))) { channels in
                for ch in channels {
                    var sg = 0.0, sgx = 0.0
                    for i in 0..<a {
                        let gr = pg + (i * c + ch) * b, xr = px + (i * c + ch) * b
                        for k in 0..<b { sg += Double(gr[k]); sgx += Double(gr[k] * xr[k]) }
                    }
                    let mg = Float(sg / n), mgx = Float(sgx / n), r = pr[ch]
                    for i in 0..<a {
                        let gr = pg + (i * c + ch) * b, xr = px + (i * c + ch) * b, dr = po + (i * c + ch) * b
                        for k in 0..<b { dr[k] = r * (gr[k] - mg - xr[k] * mgx) }
                    }
                }
            }
        }
        return out
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
    var y: Tensor
    if training {
        let n = x.shape[0] * spatial
        guard n > 1 else { throw TensorError("batch_norm: training needs more than one value per channel, got input \(shapeString(x.shape))") }
        let (xhat, stats) = x.normalizedChannels(a: x.shape[0], c: c, b: spatial, eps: eps)
        if let rm = runningMean, let rv = runningVar {
            let unbias = Float(n) / Float(n - 1)
            for i in 0..<c {
                rm.pointer[i] = (1 - momentum) * rm.pointer[i] + momentum * stats.mean[i]
                rv.pointer[i] = (1 - momentum) * rv.pointer[i] + momentum * stats.biasedVariance[i] * unbias
            }
        }
        y = xhat
    } else {
        guard let rm = runningMean, let rv = runningVar else {
            throw TensorError("batch_norm: evaluation mode needs running_mean and running_var")
        }
        y = try (x - rm.reshape(bshape)) * (rv.detached() + eps).pow(-0.5).reshape(bshape)
    }
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
    var y = x.normalizedChannels(a: 1, c: x.shape[0] * c, b: spatial, eps: eps).0
    let bshape = [1, c] + [Int](repeating: 1, count: x.rank - 2)
    if let weight { y = try y * weight.reshape(bshape) }
    if let bias { y = try y + bias.reshape(bshape) }
    return y
}
