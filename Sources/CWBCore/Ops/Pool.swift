import Foundation

// Pooling. Max pooling records which input won each window; its backward scatters by those
// indices and the scatter's backward gathers by them (a linear pair). Average pooling and its
// adjoint are another linear pair.

struct PoolGeometry {
    let n, c, h, w, kh, kw, sh, sw, ph, pw: Int
    var ho: Int { outputLength(h + 2 * ph - kh, stride: sh) }
    var wo: Int { outputLength(w + 2 * pw - kw, stride: sw) }
}

func poolGeometry(_ op: String, _ x: Tensor, kernel: Pair, stride: Pair?, padding: Pair) throws -> PoolGeometry {
    guard x.rank == 4 else { throw TensorError("\(op): input must be N×C×H×W, got \(shapeString(x.shape))") }
    let s = stride ?? kernel
    guard kernel.0 > 0, kernel.1 > 0, s.0 > 0, s.1 > 0 else { throw TensorError("\(op): kernel \(kernel) and stride \(s) must be positive") }
    guard padding.0 >= 0, padding.1 >= 0, padding.0 * 2 <= kernel.0, padding.1 * 2 <= kernel.1 else {
        throw TensorError("\(op): padding \(padding) must be at most half the kernel \(kernel)")
    }
    let g = PoolGeometry(n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], kh: kernel.0, kw: kernel.1,
                         sh: s.0, sw: s.1, ph: padding.0, pw: padding.1)
    guard g.ho > 0, g.wo > 0 else { throw TensorError("\(op): kernel \(kernel) does not fit input \(shapeString(x.shape))") }
    return g
}

public func maxPool2d(_ x: Tensor, kernel: Pair, stride: Pair? = nil, padding: Pair = (0, 0)) throws -> Tensor {
    let g = try poolGeometry("max_pool2d", x, kernel: kernel, stride: stride, padding: padding)
    let out = Tensor.uninitialized([g.n, g.c, g.ho, g.wo])
    var winners = [Int32](repeating: 0, count: out.count)
    let px = x.pointer, po = out.pointer
    winners.withUnsafeMutableBufferPointer { wb in
        nonisolated(unsafe) let pw = wb.baseAddress!
        Parallel.forChunks(g.n * g.c, minChunk: 4) { planes in
            for pl in planes {
                let src = px + pl * g.h * g.w
                for oy in 0..<g.ho {
                    for ox in 0..<g.wo {
                        var best = -Float.infinity, at = -1
                        for i in 0..<g.kh {
                            let iy = oy * g.sh - g.ph + i
                            if iy < 0 || iy >= g.h { continue }
                            for j in 0..<g.kw {
                                let ix = ox * g.sw - g.pw + j
                                if ix < 0 || ix >= g.w { continue }
                                let v = src[iy * g.w + ix]
                                if v > best || at < 0 || v.isNaN { best = v; at = iy * g.w + ix }
                            }
                        }
                        let o = (pl * g.ho + oy) * g.wo + ox
                        po[o] = best; pw[o] = Int32(at)
                    }
                }
            }
        }
    }
    let index = PlaneIndex(winners: winners, inputPlane: g.h * g.w, outputPlane: g.ho * g.wo, inputShape: x.shape)
    return out.recorded("max_pool2d", [x]) { grad, _ in [index.scatter(grad)] }
}

/// Which input element of each plane every output element came from.
struct PlaneIndex {
    let winners: [Int32]
    let inputPlane: Int, outputPlane: Int
    let inputShape: [Int]

    func scatter(_ g: Tensor) -> Tensor {
        let out = Tensor.zeros(inputShape)
        let po = out.pointer, pg = g.pointer
        winners.withUnsafeBufferPointer { wb in
            for i in 0..<g.count {
                let plane = i / outputPlane
                po[plane * inputPlane + Int(wb[i])] += pg[i]
            }
        }
        return out.recorded("max_pool2d_backward", [g]) { gg, _ in [self.gather(gg, outputShape: g.shape)] }
    }

    func gather(_ x: Tensor, outputShape: [Int]) -> Tensor {
        let out = Tensor.uninitialized(outputShape)
        let po = out.pointer, px = x.pointer
        winners.withUnsafeBufferPointer { wb in
            for i in 0..<out.count { po[i] = px[(i / outputPlane) * inputPlane + Int(wb[i])] }
        }
        return out.recorded("max_pool2d_gather", [x]) { g, _ in [self.scatter(g)] }
    }
}

/// Average pooling; padded positions count in the divisor (PyTorch's count_include_pad).
public func avgPool2d(_ x: Tensor, kernel: Pair, stride: Pair? = nil, padding: Pair = (0, 0)) throws -> Tensor {
    let g = try poolGeometry("avg_pool2d", x, kernel: kernel, stride: stride, padding: padding)
    return AveragePool(g: g).forward(x)
}

struct AveragePool {
    let g: PoolGeometry
    var scale: Float { 1 / Float(g.kh * g.kw) }

    func forward(_ x: Tensor) -> Tensor {
        let out = Tensor.zeros([g.n, g.c, g.ho, g.wo])
        let px = x.pointer, po = out.pointer, k = scale
        forEachWindowMember { i, o in po[o] += px[i] * k }
        return out.recorded("avg_pool2d", [x]) { grad, _ in [self.adjoint(grad)] }
    }

    func adjoint(_ y: Tensor) -> Tensor {
        let out = Tensor.zeros([g.n, g.c, g.h, g.w])
        let py = y.pointer, po = out.pointer, k = scale
        forEachWindowMember { i, o in po[i] += py[o] * k }
        return out.recorded("avg_pool2d_backward", [y]) { grad, _ in [self.forward(grad)] }
    }

    /// Calls `body(input offset, output offset)` for every (window member, window) pair.
    @inline(__always)
    private func forEachWindowMember(_ body: (Int, Int) -> Void) {
        for pl in 0..<(g.n * g.c) {
            let inBase = pl * g.h * g.w, outBase = pl * g.ho * g.wo
            for oy in 0..<g.ho {
                for ox in 0..<g.wo {
                    for i in 0..<g.kh {
                        let iy = oy * g.sh - g.ph + i
                        if iy < 0 || iy >= g.h { continue }
                        for j in 0..<g.kw {
                            let ix = ox * g.sw - g.pw + j
                            if ix >= 0 && ix < g.w { body(inBase + iy * g.w + ix, outBase + oy * g.wo + ox) }
                        }
                    }
                }
            }
        }
    }
}
