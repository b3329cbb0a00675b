import Foundation

// Upsampling as separable 1-D linear resampling along H then W. Each output position reads
// two input positions with two weights; the adjoint scatters with the same table, and the
// two are each other's backward rule.

public enum UpsampleMode: String, Sendable { case nearest, bilinear }

struct ResampleTable {
    let inSize: Int, outSize: Int
    let i0: [Int], i1: [Int], w0: [Float], w1: [Float]

    /// PyTorch's `interpolate` index rules (align_corners = False).
    init(inSize: Int, outSize: Int, mode: UpsampleMode) {
        self.inSize = inSize; self.outSize = outSize
        let ratio = Double(inSize) / Double(outSize)
        var a = [Int](), b = [Int](), wa = [Float](), wb = [Float]()
        for o in 0..<outSize {
            switch mode {
            case .nearest:
                let i = Swift.min(Int((Double(o) * ratio).rounded(.down)), inSize - 1)
                a.append(i); b.append(i); wa.append(1); wb.append(0)
            case .bilinear:
                let src = Swift.max((Double(o) + 0.5) * ratio - 0.5, 0)
                let lo = Swift.min(Int(src.rounded(.down)), inSize - 1)
                let hi = Swift.min(lo + 1, inSize - 1)
                let f = Float(src - Double(lo))
                a.append(lo); b.append(hi); wa.append(1 - f); wb.append(f)
            }
        }
        i0 = a; i1 = b; w0 = wa; w1 = wb
    }

    /// Resamples axis `axis` of `x`, viewed as (outer, size, inner).
    func apply(_ x: Tensor, axis: Int) -> Tensor {
        var shape = x.shape; shape[axis] = outSize
        let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
        let out = Tensor.uninitialized(shape)
        let px = x.pointer, po = out.pointer
        i0.withUnsafeBufferPointer { i0 in i1.withUnsafeBufferPointer { i1 in
        w0.withUnsafeBufferPointer { w0 in w1.withUnsafeBufferPointer { w1 in
            for o in 0..<outer {
                for k in 0..<outSize {
                    let a = px + (o * inSize + i0[k]) * inner, b = px + (o * inSize + i1[k]) * inner
                    let d = po + (o * outSize + k) * inner, wa = w0[k], wb = w1[k]
                    for i in 0..<inner { d[i] = wa * a[i] + wb * b[i] }
                }
            }
        }}}}
        return out.recorded("upsample", [x]) { g, _ in [self.adjoint(g, axis: axis)] }
    }

    func adjoint(_ y: Tensor, axis: Int) -> Tensor {
        var shape = y.shape; shape[axis] = inSize
        let outer = y.shape[..<axis].reduce(1, *), inner = y.shape[(axis + 1)...].reduce(1, *)
        let out = Tensor.zeros(shape)
        let py = y.pointer, po = out.pointer
        for o in 0..<outer {
            for k in 0..<outSize {
                let s = py + (o * outSize + k) * inner
                let a = po + (o * inSize + i0[k]) * inner, b = po + (o * inSize + i1[k]) * inner
                let wa = w0[k], wb = w1[k]
                for i in 0..<inner { a[i] += wa * s[i] }
                if wb != 0 { for i in 0..<inner { b[i] += wb * s[i] } }
            }
        }
        return out.recorded("upsample_backward", [y]) { g, _ in [self.apply(g, axis: axis)] }
    }
}

/// Resizes the last two axes of N×C×H×W to `size` (PyTorch's `interpolate`, align_corners False).
public func upsample(_ x: Tensor, size: Pair, mode: UpsampleMode = .nearest) throws -> Tensor {
    guard x.rank == 4 else { throw TensorError("upsample: input must be N×C×H×W, got \(shapeString(x.shape))") }
    guard size.0 > 0, size.1 > 0 else { throw TensorError("upsample: size \(size) must be positive") }
    try AllocationLimit.check([x.shape[0], x.shape[1], size.0, size.1], "upsample")
    let rows = ResampleTable(inSize: x.shape[2], outSize: size.0, mode: mode).apply(x, axis: 2)
    return ResampleTable(inSize: x.shape[3], outSize: size.1, mode: mode).apply(rows, axis: 3)
}

public func upsample(_ x: Tensor, scale: Int, mode: UpsampleMode = .nearest) throws -> Tensor {
    guard x.rank == 4, scale > 0 else { throw TensorError("upsample: needs N×C×H×W input and a positive scale, got \(shapeString(x.shape)), scale \(scale)") }
    let (h, oh) = x.shape[2].multipliedReportingOverflow(by: scale), (w, ow) = x.shape[3].multipliedReportingOverflow(by: scale)
    guard !oh, !ow else { throw TensorError("upsample: scale \(scale) is too large for \(shapeString(x.shape))") }
    return try upsample(x, size: (h, w), mode: mode)
}
