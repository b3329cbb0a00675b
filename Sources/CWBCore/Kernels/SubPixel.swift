import Foundation

/// The adjoint of a strided convolution — conv_transpose2d's forward and a strided conv's
/// input gradient — without im2col's adjoint (a GEMM into a column matrix kh·kw/(sh·sw) times
/// the output, then a scatter-add). Each output pixel (iy, ix) takes taps of one "phase"
/// ((iy + ph) mod sh, (ix + pw) mod sw) only, and over the pixels of one phase the sum is a
/// stride-1 conv of the input with the phase's taps, flipped. So the result is sh·sw small
/// stride-1 convs (row-shift GEMMs), each written into its own interleaved pixels.
enum SubPixel {
    struct Phase {
        let fy, fx: Int
        /// The phase's stride-1 conv: input = the strided conv's output (O channels), output
        /// C channels on rows/columns u, v, which land at (fy − ph + sh·u, fx − pw + sw·v).
        let geo: ConvGeometry
    }

    /// The phases of the adjoint of `geo`, or nil when this path does not apply (dilation,
    /// a phase without taps or too small to be a row-shift GEMM): im2col's adjoint serves.
    static func phases(_ geo: ConvGeometry) -> [Phase]? {
        guard geo.sh > 1 || geo.sw > 1, geo.dh == 1, geo.dw == 1, geo.kh >= geo.sh, geo.kw >= geo.sw, geo.n > 0 else { return nil }
        var out: [Phase] = []
        for fy in 0..<geo.sh {
            for fx in 0..<geo.sw {
                let taps = ((geo.kh - fy + geo.sh - 1) / geo.sh, (geo.kw - fx + geo.sw - 1) / geo.sw)
                let g = ConvGeometry(n: geo.n, c: geo.o, h: geo.ho, w: geo.wo, o: geo.c, kh: taps.0, kw: taps.1,
                                     sh: 1, sw: 1, ph: taps.0 - 1, pw: taps.1 - 1, dh: 1, dw: 1)
                guard RowShift.applies(g) else { return nil }
                out.append(Phase(fy: fy, fx: fx, geo: g))
            }
        }
        return out
    }

    /// x (N × C × H × W) = the adjoint of conv `geo` applied to y (N × O × Ho × Wo).
    static func adjoint(_ y: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ geo: ConvGeometry, phases: [Phase],
                        into x: UnsafeMutablePointer<Float>) {
        x.update(repeating: 0, count: geo.n * geo.c * geo.h * geo.w)   // pixels no window reaches
        let kk = geo.kh * geo.kw
        for phase in phases {
            let g = phase.geo
            // The phase's kernel: k[c, o, a, b] = w[o, c, fy + sh·(na−1−a), fx + sw·(nb−1−b)].
            let kernel = Workspace.shared.buffer(14, g.o * g.c * g.kh * g.kw)
            for c in 0..<geo.c {
                for o in 0..<geo.o {
                    let src = w + (o * geo.c + c) * kk, dst = kernel + (c * geo.o + o) * g.kh * g.kw
                    for a in 0..<g.kh {
                        for b in 0..<g.kw {
                            dst[a * g.kw + b] = src[(phase.fy + geo.sh * (g.kh - 1 - a)) * geo.kw + phase.fx + geo.sw * (g.kw - 1 - b)]
                        }
                    }
                }
            }
            let out = Workspace.shared.buffer(13, g.n * g.o * g.plane)
            RowShift.forward(y, kernel, g, into: out)
            // Interleave: out[n, c, u, v] → x[n, c, fy − ph + sh·u, fx − pw + sw·v] where inside.
            let rows = (0..<g.ho).filter { let iy = phase.fy - geo.ph + geo.sh * $0; return iy >= 0 && iy < geo.h }
            let cols = (0..<g.wo).filter { let ix = phase.fx - geo.pw + geo.sw * $0; return ix >= 0 && ix < geo.w }
            guard let firstRow = rows.first, let lastRow = rows.last, let v0 = cols.first, let v1 = cols.last.map({ $0 + 1 }) else { continue }
            nonisolated(unsafe) let px = x, po = UnsafePointer(out)
            Parallel.forChunks(geo.n * geo.c, minChunk: Swift.max(1, 1 << 15 / Swift.max(g.plane, 1))) { planes in
                for plane in planes {
                    let src = po + plane * g.plane, dst = px + plane * geo.h * geo.w
                    for u in firstRow...lastRow {
                        let iy = phase.fy - geo.ph + geo.sh * u
                        let s = src + u * g.wo, d = dst + iy * geo.w + phase.fx - geo.pw
                        for v in v0..<v1 { d[geo.sw * v] = s[v] }
                    }
                }
            }
        }
    }
}
