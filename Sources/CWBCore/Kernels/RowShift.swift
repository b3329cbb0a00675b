import Foundation

/// Stride-1 convolutions without the full im2col matrix. im2col writes each input pixel kh·kw
/// times (9× the input for a 3×3 conv) before its GEMM. But kernel row i only moves the window
/// down by i·dh rows, so one "row-shift" matrix S holding kw column-shifted copies of the input,
///     S[(c, j), yp·Wo + x] = x_padded[c, yp, x + j·dw]   over all hp padded rows yp,
/// serves every kernel row: row i reads S from column i·dh·Wo on, with S's full row as the
/// leading dimension. The output is then kh accumulating GEMMs,
///     out (O × P) = Σᵢ Wᵢ (O × C·kw) · S[:, i·dh·Wo ..< i·dh·Wo + P],
/// with Wᵢ[o, c·kw + j] = w[o, c, i, j], and S is kh times smaller than im2col's matrix.
enum RowShift {
    /// Whether the conv primitives take this path: stride 1, a kernel taller than one row,
    /// planes large enough that each sample is its own GEMM (smaller planes are batched by
    /// the im2col path instead), and enough input channels that the kh GEMMs' depth C·kw
    /// is not tiny (a 1-channel first conv keeps im2col's single deeper GEMM). Strided convs
    /// keep im2col: storing S's rows by phase serves them too (tried: exact against im2col),
    /// but in paired runs of the reference U-Net (5×5 stride-2 convs, C·kw of 320–640) the kh
    /// shallower GEMMs lost to im2col's one deep GEMM.
    static func applies(_ geo: ConvGeometry) -> Bool {
        geo.sh == 1 && geo.sw == 1 && geo.kh > 1 && geo.plane >= minimumPlane && geo.c * geo.kw >= 32 && enabled
    }

    /// Output pixels per sample below which im2col's batched GEMMs serve instead. It also keeps
    /// the kernel rearrangement (one pass over the weights per call) small beside the GEMMs:
    /// at batch 1 the deep 8×8 layers of a U-Net would otherwise spend more time on it.
    static let minimumPlane = 1024

    /// Switch for benchmarks comparing the two paths (CWB_CONV_ROW_SHIFT=0 turns it off).
    nonisolated(unsafe) static var enabled = ProcessInfo.processInfo.environment["CWB_CONV_ROW_SHIFT"] != "0"

    /// Length of one row (c, j) of S: every padded row the kernel rows reach.
    static func rowLength(_ geo: ConvGeometry) -> Int { (geo.ho + (geo.kh - 1) * geo.dh) * geo.wo }

    /// Where kernel row i's B matrix starts in each row of S.
    static func offset(ofKernelRow i: Int, _ geo: ConvGeometry) -> Int { i * geo.dh * geo.wo }

    /// out[n] = conv(x[n], w) for every sample, into `out` (N × O × P).
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ geo: ConvGeometry,
                        into out: UnsafeMutablePointer<Float>) {
        if let r = PackedGEMM.active, geo.wo % r.panelA == 0 {
            forwardPacked(x, w, geo, r, into: out)
            return
        }
        let kcw = geo.c * geo.kw, rowLength = rowLength(geo)
        let weights = Workspace.shared.buffer(0, geo.kh * geo.o * kcw)
        splitKernelRows(w, geo, into: weights)
        let workers = geo.sampleWorkers
        let buffers = (0..<workers).map { Workspace.shared.buffer(2 + $0, kcw * rowLength) }
        func sample(_ n: Int, _ s: UnsafeMutablePointer<Float>, parallel: Bool) {
            pack(x + n * geo.c * geo.h * geo.w, geo, into: s, parallel: parallel)
            for i in 0..<geo.kh {
                GEMM.run(weights + i * geo.o * kcw, s + offset(ofKernelRow: i, geo), out + n * geo.o * geo.plane,
                         m: geo.o, n: geo.plane, k: kcw, beta: i == 0 ? 0 : 1, ldb: rowLength)
            }
        }
        if workers > 1 {
            GEMM.onWorkers(workers) { worker in
                for n in stride(from: worker, to: geo.n, by: workers) { sample(n, buffers[worker], parallel: false) }
            }
        } else {
            for n in 0..<geo.n { sample(n, buffers[0], parallel: true) }
        }
    }

    /// `forward` on OpenBLAS's packed operands: each sample's S is packed once and every kernel
    /// row's product starts at its own panel of it (a panel holds `panelA` pixels, and a row of
    /// Wo pixels is whole panels), and the weights are packed once per call instead of once per
    /// sample and kernel row. The depth C·kw is cut into chunks (`PackedGEMM.depthChunks`, each
    /// chunk of S and of the weights packed on its own) so a weight panel stays in L1, and the
    /// products run in blocks of output pixels, all chunks and kernel rows of a block together,
    /// so the block of C and the packed pixels it reads stay in cache.
    static func forwardPacked(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ geo: ConvGeometry,
                              _ r: PackedGEMM.Routines, into out: UnsafeMutablePointer<Float>) {
        let kcw = geo.c * geo.kw, rowLength = rowLength(geo), p = geo.plane, o = geo.o, cores = Parallel.maxThreads
        let depths = PackedGEMM.depthChunks(kcw)
        let weights = Workspace.shared.buffer(0, geo.kh * o * kcw)
        splitKernelRows(w, geo, into: weights)
        // Kernel row i's weights at i·o·kcw, chunk d of them d.lowerBound·o further.
        let packedWeights = Workspace.shared.buffer(2 + 2 * cores, geo.kh * o * kcw)
        for i in 0..<geo.kh {
            PackedGEMM.packWeights(r, weights + i * o * kcw, rows: o, ld: kcw, chunks: depths, into: packedWeights + i * o * kcw)
        }
        let workers = geo.sampleWorkers
        let rows = (0..<workers).map { Workspace.shared.buffer(2 + $0, kcw * rowLength) }
        // Chunk d of a sample's packed S: rowLength × depth floats at depth.lowerBound·rowLength.
        let packed = (0..<workers).map { Workspace.shared.buffer(2 + cores + $0, kcw * rowLength) }
        let block = PackedGEMM.pixelBlock, blocks = (p + block - 1) / block
        func sample(_ n: Int, _ worker: Int, parallel: Bool) {
            let s = rows[worker], ps = packed[worker], outN = out + n * o * p
            pack(x + n * geo.c * geo.h * geo.w, geo, into: s, parallel: parallel)
            Parallel.forChunks(rowLength / r.panelA, minChunk: parallel ? 16 : Int.max) { panels in
                PackedGEMM.packPixels(r, s, first: panels.lowerBound * r.panelA, count: panels.count * r.panelA,
                                      pixels: rowLength, ld: rowLength, chunks: depths, into: ps)
            }
            Parallel.forChunks(blocks, minChunk: parallel ? 1 : Int.max) { range in
                for b in range {
                    let p0 = b * block, m = Swift.min(block, p - p0)
                    for oc in 0..<o { (outN + oc * p + p0).update(repeating: 0, count: m) }
                    for d in depths {
                        for i in 0..<geo.kh {
                            _ = r.kernel(m, o, d.count, 1, ps + d.lowerBound * rowLength + (offset(ofKernelRow: i, geo) + p0) * d.count,
                                         packedWeights + i * o * kcw + d.lowerBound * o, outN + p0, p)
                        }
                    }
                }
            }
        }
        if workers > 1 {
            GEMM.onWorkers(workers) { worker in
                for n in stride(from: worker, to: geo.n, by: workers) { sample(n, worker, parallel: false) }
            }
        } else {
            for n in 0..<geo.n { sample(n, 0, parallel: true) }
        }
    }

    /// The weight gradient from the same S: dWᵢ (O × C·kw) = Σₙ yₙ (O × P) · S[:, i·dh·Wo ..< +P]ᵀ,
    /// each core summing its own samples, then the kernel rows interleaved back into O×C×kh×kw.
    static func weightGradient(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ geo: ConvGeometry,
                               into out: UnsafeMutablePointer<Float>) {
        let kcw = geo.c * geo.kw, rowLength = rowLength(geo)
        let workers = geo.sampleWorkers, size = geo.kh * geo.o * kcw
        let buffers = (0..<workers).map { Workspace.shared.buffer(2 + $0, kcw * rowLength) }
        let partials = (0..<workers).map { Workspace.shared.buffer(2 + workers + $0, size) }
        func sample(_ n: Int, _ s: UnsafeMutablePointer<Float>, _ partial: UnsafeMutablePointer<Float>, first: Bool, parallel: Bool) {
            pack(x + n * geo.c * geo.h * geo.w, geo, into: s, parallel: parallel)
            for i in 0..<geo.kh {
                GEMM.run(y + n * geo.o * geo.plane, s + offset(ofKernelRow: i, geo), partial + i * geo.o * kcw,
                         m: geo.o, n: kcw, k: geo.plane, transB: true, beta: first ? 0 : 1, ldb: rowLength)
            }
        }
        if workers > 1 {
            GEMM.onWorkers(workers) { worker in
                for n in stride(from: worker, to: geo.n, by: workers) {
                    sample(n, buffers[worker], partials[worker], first: n == worker, parallel: false)
                }
            }
            let p0 = partials[0]
            for k in 1..<Swift.min(workers, geo.n) { let q = partials[k]; for i in 0..<size { p0[i] += q[i] } }
        } else {
            for n in 0..<geo.n { sample(n, buffers[0], partials[0], first: n == 0, parallel: true) }
        }
        // out[o, c, i, j] = dWᵢ[o, c·kw + j]
        let kk = geo.kh * geo.kw, m = partials[0]
        for i in 0..<geo.kh {
            for o in 0..<geo.o {
                let src = m + (i * geo.o + o) * kcw, dst = out + o * geo.c * kk + i * geo.kw
                for c in 0..<geo.c { for j in 0..<geo.kw { dst[c * kk + j] = src[c * geo.kw + j] } }
            }
        }
    }

    /// Wᵢ[o, c·kw + j] = w[o, c, i, j] for each kernel row i, one O × C·kw matrix after another.
    static func splitKernelRows(_ w: UnsafePointer<Float>, _ geo: ConvGeometry, into m: UnsafeMutablePointer<Float>) {
        let kcw = geo.c * geo.kw, kk = geo.kh * geo.kw
        for i in 0..<geo.kh {
            for o in 0..<geo.o {
                let dst = m + (i * geo.o + o) * kcw, src = w + o * geo.c * kk + i * geo.kw
                for c in 0..<geo.c { for j in 0..<geo.kw { dst[c * geo.kw + j] = src[c * kk + j] } }
            }
        }
    }

    /// S for one sample: row (c, j) holds x[c] read from column j·dw − pw, over every padded row.
    static func pack(_ x: UnsafePointer<Float>, _ geo: ConvGeometry, into s: UnsafeMutablePointer<Float>, parallel: Bool) {
        let rowLength = rowLength(geo), hp = rowLength / Swift.max(geo.wo, 1), hw = geo.h * geo.w, wo = geo.wo
        Parallel.forChunks(geo.c * geo.kw, minChunk: parallel ? Swift.max(1, 8192 / Swift.max(rowLength, 1)) : Int.max) { rows in
            for r in rows {
                let c = r / geo.kw, j = r % geo.kw
                let ix0 = j * geo.dw - geo.pw
                // Output columns whose input column lies inside the image.
                let lo = Swift.min(wo, Swift.max(0, -ix0)), hi = Swift.max(lo, Swift.min(wo, geo.w - ix0))
                let src = x + c * hw, dst = s + r * rowLength
                for yp in 0..<hp {
                    let iy = yp - geo.ph
                    let row = dst + yp * wo
                    if iy < 0 || iy >= geo.h { row.update(repeating: 0, count: wo); continue }
                    if lo > 0 { row.update(repeating: 0, count: lo) }
                    (row + lo).update(from: src + iy * geo.w + ix0 + lo, count: hi - lo)
                    if hi < wo { (row + hi).update(repeating: 0, count: wo - hi) }
                }
            }
        }
    }

    /// The input gradient of a stride-1 conv is itself a stride-1 conv of the output gradient:
    /// with the kernel flipped in space and its in/out channels exchanged, and padding
    /// d·(k − 1) − p. Nil when that padding would be negative (then im2col's adjoint serves).
    static func dataGradientGeometry(_ geo: ConvGeometry) -> ConvGeometry? {
        let ph = geo.dh * (geo.kh - 1) - geo.ph, pw = geo.dw * (geo.kw - 1) - geo.pw
        guard geo.sh == 1, geo.sw == 1, ph >= 0, pw >= 0 else { return nil }
        let g = ConvGeometry(n: geo.n, c: geo.o, h: geo.ho, w: geo.wo, o: geo.c, kh: geo.kh, kw: geo.kw,
                             sh: 1, sw: 1, ph: ph, pw: pw, dh: geo.dh, dw: geo.dw)
        return g.ho == geo.h && g.wo == geo.w && applies(g) ? g : nil
    }

    /// w'[c, o, i, j] = w[o, c, kh−1−i, kw−1−j]: the kernel of the data-gradient conv.
    static func flippedTransposed(_ w: UnsafePointer<Float>, _ geo: ConvGeometry, into f: UnsafeMutablePointer<Float>) {
        let kk = geo.kh * geo.kw
        for o in 0..<geo.o {
            for c in 0..<geo.c {
                let src = w + (o * geo.c + c) * kk, dst = f + (c * geo.o + o) * kk
                for t in 0..<kk { dst[t] = src[kk - 1 - t] }
            }
        }
    }
}
