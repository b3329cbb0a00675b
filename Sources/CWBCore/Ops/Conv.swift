import Foundation

// Convolution as three linear primitives, each the adjoint of another in one argument:
//   convForward(x, w)  = y          (im2col + GEMM)
//   convData(y, w)     = Aᵀ(w)·y    (the data gradient of conv = conv-transpose)
//   convWeight(x, y)   = ∂⟨conv(x,w), y⟩/∂w
// So the backward rule of each is written with the others, and gradients of gradients (the
// WGAN-GP penalty) come for free.

public typealias Pair = (Int, Int)

extension ConvGeometry {
    init(input x: [Int], weight w: [Int], stride: Pair, padding: Pair, dilation: Pair) {
        self.init(n: x[0], c: x[1], h: x[2], w: x[3], o: w[0], kh: w[2], kw: w[3],
                  sh: stride.0, sw: stride.1, ph: padding.0, pw: padding.1, dh: dilation.0, dw: dilation.1)
    }
}

/// 2-D convolution of N×C×H×W by O×C×kh×kw weights (PyTorch's `conv2d`, groups = 1).
public func conv2d(_ x: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: Pair = (1, 1),
                   padding: Pair = (0, 0), dilation: Pair = (1, 1)) throws -> Tensor {
    guard x.rank == 4 else { throw TensorError("conv2d: input must be N×C×H×W, got \(shapeString(x.shape))") }
    guard weight.rank == 4 else { throw TensorError("conv2d: weight must be O×C×kh×kw, got \(shapeString(weight.shape))") }
    guard x.shape[1] == weight.shape[1] else {
        throw TensorError("conv2d: input has \(x.shape[1]) channels but weight \(shapeString(weight.shape)) expects \(weight.shape[1]) (input \(shapeString(x.shape)))")
    }
    try checkConvArguments("conv2d", stride: stride, padding: padding, dilation: dilation)
    let geo = ConvGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding, dilation: dilation)
    guard geo.ho > 0, geo.wo > 0 else {
        throw TensorError("conv2d: kernel \(geo.kh)×\(geo.kw) (dilation \(dilation)) does not fit input \(shapeString(x.shape)) with padding \(padding)")
    }
    if let bias { guard bias.shape == [geo.o] else { throw TensorError("conv2d: bias \(shapeString(bias.shape)) must be [\(geo.o)]") } }
    try AllocationLimit.check(geo.outputShape, "conv2d")
    return Tensor.convForward(x, weight, bias, geo)
}

/// Transposed 2-D convolution of N×Cin×H×W by Cin×Cout×kh×kw weights (PyTorch's layout):
/// the data gradient of the conv with the same weight, stride and padding.
public func convTranspose2d(_ x: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: Pair = (1, 1),
                            padding: Pair = (0, 0), outputPadding: Pair = (0, 0),
                            dilation: Pair = (1, 1)) throws -> Tensor {
    guard x.rank == 4 else { throw TensorError("conv_transpose2d: input must be N×C×H×W, got \(shapeString(x.shape))") }
    guard weight.rank == 4 else { throw TensorError("conv_transpose2d: weight must be Cin×Cout×kh×kw, got \(shapeString(weight.shape))") }
    guard x.shape[1] == weight.shape[0] else {
        throw TensorError("conv_transpose2d: input has \(x.shape[1]) channels but weight \(shapeString(weight.shape)) expects \(weight.shape[0]) (input \(shapeString(x.shape)))")
    }
    try checkConvArguments("conv_transpose2d", stride: stride, padding: padding, dilation: dilation)
    guard outputPadding.0 >= 0, outputPadding.1 >= 0,
          outputPadding.0 < Swift.max(stride.0, dilation.0), outputPadding.1 < Swift.max(stride.1, dilation.1) else {
        throw TensorError("conv_transpose2d: output_padding \(outputPadding) must be smaller than stride \(stride) or dilation \(dilation)")
    }
    let (kh, kw) = (weight.shape[2], weight.shape[3])
    let h = (x.shape[2] - 1) * stride.0 - 2 * padding.0 + dilation.0 * (kh - 1) + outputPadding.0 + 1
    let w = (x.shape[3] - 1) * stride.1 - 2 * padding.1 + dilation.1 * (kw - 1) + outputPadding.1 + 1
    guard h > 0, w > 0 else { throw TensorError("conv_transpose2d: output size \(h)×\(w) is empty for input \(shapeString(x.shape))") }
    let geo = ConvGeometry(n: x.shape[0], c: weight.shape[1], h: h, w: w, o: weight.shape[0], kh: kh, kw: kw,
                           sh: stride.0, sw: stride.1, ph: padding.0, pw: padding.1, dh: dilation.0, dw: dilation.1)
    if let bias { guard bias.shape == [geo.c] else { throw TensorError("conv_transpose2d: bias \(shapeString(bias.shape)) must be [\(geo.c)]") } }
    try AllocationLimit.check(geo.inputShape, "conv_transpose2d")
    let y = Tensor.convData(x, weight, geo)
    guard let bias else { return y }
    return try y + bias.reshape([1, geo.c, 1, 1])
}

func checkConvArguments(_ op: String, stride: Pair, padding: Pair, dilation: Pair) throws {
    guard stride.0 > 0, stride.1 > 0 else { throw TensorError("\(op): stride \(stride) must be positive") }
    guard padding.0 >= 0, padding.1 >= 0 else { throw TensorError("\(op): padding \(padding) must not be negative") }
    guard dilation.0 > 0, dilation.1 > 0 else { throw TensorError("\(op): dilation \(dilation) must be positive") }
}

extension Tensor {
    static func convForward(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ geo: ConvGeometry) -> Tensor {
        let out = Tensor.uninitialized(geo.outputShape)
        let p = geo.plane, g = geo.groupSize
        var n0 = 0
        if RowShift.applies(geo) {
            RowShift.forward(x.pointer, w.pointer, geo, into: out.pointer)
            n0 = geo.n
        }
        if n0 < geo.n, let r = PackedGEMM.active, PackedBands.applies(geo, r) {
            PackedBands.forward(x.pointer, w.pointer, geo, r, into: out.pointer)
            n0 = geo.n
        }
        while n0 < geo.n {
            let s = Swift.min(g, geo.n - n0)
            if s == 1 && !geo.isPointwise {
                forwardInBands(x.pointer, w.pointer, geo, sample: n0, into: out.pointer + n0 * geo.o * p)
                n0 += 1
                continue
            }
            let cols = Im2col.columns(x.pointer, geo, firstSample: n0, samples: s) { Workspace.shared.buffer(0, geo.ckk * s * p) }
            if s == 1 {
                GEMM.run(w.pointer, cols, out.pointer + n0 * geo.o * p, m: geo.o, n: p, k: geo.ckk)
            } else {
                let m = Workspace.shared.buffer(1, geo.o * s * p)
                GEMM.run(w.pointer, cols, m, m: geo.o, n: s * p, k: geo.ckk)
                Im2col.scatterSamples(m, rows: geo.o, plane: p, firstSample: n0, samples: s, into: out.pointer)
            }
            n0 += s
        }
        if let bias { addChannelBias(out, bias) }
        let inputs = bias.map { [x, w, $0] } ?? [x, w]
        // The input is kept only for the weight's gradient and the weight only for the input's
        // (a frozen network, like the perceptual loss's VGG, keeps no activations).
        let keptX = w.isTracked ? x : nil, keptW = x.isTracked ? w : nil, hasBias = bias != nil
        return out.recorded("conv2d", inputs) { g, c in
            [c.needs(0) ? convData(g, keptW!, geo) : nil,
             c.needs(1) ? convWeight(keptX!, g, geo) : nil,
             hasBias && c.needs(2) ? try g.sum(axes: [0, 2, 3]) : nil]
        }
    }

    /// One sample's forward in bands of output rows, so the column matrix stays small (it is
    /// 6–9× the input). When the GEMM would split its columns between cores anyway (more
    /// output pixels than channels), each core takes whole bands instead, packing its band's
    /// columns and running its GEMM alone: the columns stay in that core's cache, no core
    /// waits for the other between packing and multiplying, and the weights are packed once
    /// per band rather than once per half-band.
    static func forwardInBands(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ geo: ConvGeometry, sample n: Int,
                               into out: UnsafeMutablePointer<Float>) {
        let p = geo.plane, workers = geo.bandWorkers
        let bands = Swift.max(workers, (geo.ho + geo.outputRowsPerBand - 1) / geo.outputRowsPerBand)
        func band(_ b: Int, _ cols: UnsafeMutablePointer<Float>, parallel: Bool) {
            let rows = geo.ho * b / bands..<geo.ho * (b + 1) / bands
            Im2col.pack(x, geo, firstSample: n, samples: 1, outputRows: rows, into: cols, parallel: parallel)
            GEMM.run(w, cols, out + rows.lowerBound * geo.wo, m: geo.o, n: rows.count * geo.wo, k: geo.ckk, ldc: p)
        }
        let largest = geo.ckk * ((geo.ho + bands - 1) / bands) * geo.wo
        guard workers > 1 else {
            for b in 0..<bands { band(b, Workspace.shared.buffer(0, largest), parallel: true) }
            return
        }
        let buffers = (0..<workers).map { Workspace.shared.buffer(2 + $0, largest) }
        GEMM.onWorkers(workers) { worker in
            for b in stride(from: worker, to: bands, by: workers) { band(b, buffers[worker], parallel: false) }
        }
    }

    static func convData(_ y: Tensor, _ w: Tensor, _ geo: ConvGeometry) -> Tensor {
        let p = geo.plane, g = geo.groupSize
        var n0 = 0
        // Every path below overwrites all of it (im2col's adjoint clears each plane first).
        let out = Tensor.uninitialized(geo.inputShape)
        if let dataGeo = RowShift.dataGradientGeometry(geo) {
            let flipped = Workspace.shared.buffer(1, geo.o * geo.ckk)
            RowShift.flippedTransposed(w.pointer, geo, into: flipped)
            RowShift.forward(y.pointer, flipped, dataGeo, into: out.pointer)
            n0 = geo.n
        }
        let workers = n0 < geo.n ? geo.sampleWorkers : 1
        if workers > 1 {
            let buffers = (0..<workers).map { Workspace.shared.buffer(2 + $0, geo.ckk * p) }
            let py = y.pointer, pw = w.pointer, po = out.pointer
            GEMM.onWorkers(workers) { worker in
                for n in stride(from: worker, to: geo.n, by: workers) {
                    let ym = UnsafePointer(py + n * geo.o * p)
                    if geo.isPointwise {
                        GEMM.run(pw, ym, po + n * geo.c * p, m: geo.ckk, n: p, k: geo.o, transA: true)
                    } else {
                        GEMM.run(pw, ym, buffers[worker], m: geo.ckk, n: p, k: geo.o, transA: true)
                        Im2col.unpack(buffers[worker], geo, firstSample: n, samples: 1, into: po, parallel: false)
                    }
                }
            }
            n0 = geo.n
        }
        while n0 < geo.n {
            let s = Swift.min(g, geo.n - n0)
            let ym = Im2col.sampleMatrix(y.pointer, rows: geo.o, plane: p, firstSample: n0, samples: s) { Workspace.shared.buffer(1, geo.o * s * p) }
            if geo.isPointwise && s == 1 {
                GEMM.run(w.pointer, ym, out.pointer + n0 * geo.c * p, m: geo.ckk, n: p, k: geo.o, transA: true)
            } else {
                let cols = Workspace.shared.buffer(0, geo.ckk * s * p)
                if geo.prefersPixelMajorProduct(columns: s * p) {
                    GEMM.runTransposed(w.pointer, ym, cols, m: geo.ckk, n: s * p, k: geo.o, transA: true,
                                       scratch: Workspace.shared.buffer(2, geo.ckk * s * p))
                } else {
                    GEMM.run(w.pointer, ym, cols, m: geo.ckk, n: s * p, k: geo.o, transA: true)
                }
                Im2col.unpack(cols, geo, firstSample: n0, samples: s, into: out.pointer)
            }
            n0 += s
        }
        let keptY = w.isTracked ? y : nil, keptW = y.isTracked ? w : nil
        return out.recorded("conv_transpose2d", [y, w]) { g, c in
            [c.needs(0) ? convForward(g, keptW!, nil, geo) : nil,
             c.needs(1) ? convWeight(g, keptY!, geo) : nil]
        }
    }

    static func convWeight(_ x: Tensor, _ y: Tensor, _ geo: ConvGeometry) -> Tensor {
        let out = Tensor.uninitialized(geo.weightShape)
        let p = geo.plane, g = geo.groupSize
        var n0 = 0
        if RowShift.applies(geo) && geo.n > 0 {
            RowShift.weightGradient(x.pointer, y.pointer, geo, into: out.pointer)
            n0 = geo.n
        }
        let workers = n0 < geo.n ? geo.sampleWorkers : 1
        if workers > 1 {
            // Each worker sums its samples' gradients into its own matrix (worker 0 into the
            // result); the partial sums are added at the end.
            let buffers = (0..<workers).map { Workspace.shared.buffer(2 + $0, geo.ckk * p) }
            let partials = [out.pointer] + (1..<workers).map { Workspace.shared.buffer(2 + workers + $0, geo.o * geo.ckk) }
            let px = x.pointer, py = y.pointer
            GEMM.onWorkers(workers) { worker in
                var first = true
                for n in stride(from: worker, to: geo.n, by: workers) {
                    let cols = Im2col.columns(px, geo, firstSample: n, samples: 1, parallel: false) { buffers[worker] }
                    GEMM.run(py + n * geo.o * p, cols, partials[worker], m: geo.o, n: geo.ckk, k: p, transB: true, beta: first ? 0 : 1)
                    first = false
                }
            }
            let po = out.pointer, count = geo.o * geo.ckk
            for k in 1..<workers { let q = partials[k]; for i in 0..<count { po[i] += q[i] } }
            n0 = geo.n
        }
        while n0 < geo.n {
            let s = Swift.min(g, geo.n - n0)
            let cols = Im2col.columns(x.pointer, geo, firstSample: n0, samples: s) { Workspace.shared.buffer(0, geo.ckk * s * p) }
            let ym = Im2col.sampleMatrix(y.pointer, rows: geo.o, plane: p, firstSample: n0, samples: s) { Workspace.shared.buffer(1, geo.o * s * p) }
            GEMM.run(ym, cols, out.pointer, m: geo.o, n: geo.ckk, k: s * p, transB: true, beta: n0 == 0 ? 0 : 1)
            n0 += s
        }
        return out.recorded("conv2d_weight", [x, y]) { g, c in
            [c.needs(0) ? convData(y, g, geo) : nil,
             c.needs(1) ? convForward(x, g, nil, geo) : nil]
        }
    }

    /// out[n, c, ...] += bias[c], in place on a fresh output.
    static func addChannelBias(_ out: Tensor, _ bias: Tensor) {
        let n = out.shape[0], c = out.shape[1], plane = out.count / Swift.max(n * c, 1)
        let po = out.pointer, pb = bias.pointer
        Parallel.forChunks(n * c, minChunk: Swift.max(1, 1 << 15 / Swift.max(plane, 1))) { r in
            for i in r { let b = pb[i % c], row = po + i * plane; for k in 0..<plane { row[k] += b } }
        }
    }
}
