import Foundation

/// The im2col forward of one-sample convs (`forwardInBands`) on OpenBLAS's packed routines,
/// without the column matrix: each block of output pixels is gathered from the image straight
/// into the kernel's panel layout, one depth chunk at a time right before its product (so the
/// packed block is still in L2), and the weights are packed once per call (cblas_sgemm packed
/// them again for every band and sample). It needs whole panels in each output row (Wo a
/// multiple of the panel width) and bands with at least as many pixels as channels: the deep
/// layers of a one-sample pass, with fewer, stay on cblas_sgemm, whose blocking streams their
/// large weights better (paired, packing them per core right before use ran 1.07–1.16×).
enum PackedBands {
    /// Switch for benchmarks and tests (CWB_PACKED_BANDS=0 keeps `forwardInBands`).
    nonisolated(unsafe) static var enabled = ProcessInfo.processInfo.environment["CWB_PACKED_BANDS"] != "0"

    static func applies(_ geo: ConvGeometry, _ r: PackedGEMM.Routines) -> Bool {
        enabled && geo.groupSize == 1 && !geo.isPointwise && geo.wo % r.panelA == 0
            && (geo.bandWorkers > 1 || geo.plane / bands(geo) >= geo.o)
    }

    /// Bands of output rows per sample, as `forwardInBands` cuts them.
    static func bands(_ geo: ConvGeometry) -> Int {
        Swift.max(geo.bandWorkers, (geo.ho + geo.outputRowsPerBand - 1) / geo.outputRowsPerBand)
    }

    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ geo: ConvGeometry,
                        _ r: PackedGEMM.Routines, into out: UnsafeMutablePointer<Float>) {
        let p = geo.plane, o = geo.o, k = geo.ckk, cores = Parallel.maxThreads, workers = geo.bandWorkers
        let depths = PackedGEMM.depthChunks(k), widest = depths.map(\.count).max() ?? 0
        let bands = bands(geo), block = PackedGEMM.pixelBlock
        // All scratch is taken before any thread starts (the workspace is not thread-safe).
        let scratch = (0..<cores).map { Workspace.shared.buffer(3 + 2 * cores + $0, block * widest) }
        let packedWeights = Workspace.shared.buffer(2 + 2 * cores, o * k)
        PackedGEMM.packWeights(r, w, rows: o, ld: k, chunks: depths, into: packedWeights)

        /// Plane pixels p0 ..< p0 + m of sample n times all the weights, into the output.
        func pixels(_ n: Int, _ p0: Int, _ m: Int, core: Int) {
            let c = out + n * o * p + p0
            for ch in 0..<o { (c + ch * p).update(repeating: 0, count: m) }
            for d in depths {
                gather(x, geo, sample: n, firstPixel: p0, count: m, depth: d, panel: r.panelA, into: scratch[core])
                _ = r.kernel(m, o, d.count, 1, scratch[core], packedWeights + d.lowerBound * o, c, p)
            }
        }
        func band(_ b: Int) -> Range<Int> { geo.ho * b / bands * geo.wo..<geo.ho * (b + 1) / bands * geo.wo }

        if workers > 1 {   // each core whole bands, across samples
            GEMM.onWorkers(workers) { worker in
                for item in stride(from: worker, to: geo.n * bands, by: workers) {
                    let pixelsOfBand = band(item % bands)
                    for p0 in stride(from: pixelsOfBand.lowerBound, to: pixelsOfBand.upperBound, by: block) {
                        pixels(item / bands, p0, Swift.min(block, pixelsOfBand.upperBound - p0), core: worker)
                    }
                }
            }
        } else {           // each band's blocks shared between the cores
            for n in 0..<geo.n {
                for b in 0..<bands {
                    let range = band(b), bp = range.count
                    let share = Swift.min(block, ((bp + cores - 1) / cores + r.panelA - 1) / r.panelA * r.panelA)
                    let blocks = (bp + share - 1) / share
                    GEMM.onWorkers(Swift.min(cores, blocks)) { core in
                        for bi in Swift.stride(from: core, to: blocks, by: cores) {
                            pixels(n, range.lowerBound + bi * share, Swift.min(share, bp - bi * share), core: core)
                        }
                    }
                }
            }
        }
    }

    /// The kernel's packed A for plane pixels `firstPixel ..< + count` of sample n and depth rows
    /// `depth` (rows (c, i, j) of the im2col matrix), read from the image: panel q, depth row l,
    /// pixel t at dst[(q·depth.count + l − depth.lowerBound)·panel + t]. Every panel lies in one
    /// output row (Wo and `count` multiples of the panel width).
    static func gather(_ x: UnsafePointer<Float>, _ geo: ConvGeometry, sample n: Int, firstPixel: Int, count: Int,
                       depth: Range<Int>, panel: Int, into dst: UnsafeMutablePointer<Float>) {
        let kk = geo.kh * geo.kw, hw = geo.h * geo.w, stride = depth.count * panel, wo = geo.wo
        let evenLanes = panel == 8 && geo.sw == 2
        for l in depth {
            let c = l / kk, i = (l / geo.kw) % geo.kh, j = l % geo.kw
            let plane = x + (n * geo.c + c) * hw, ix0 = j * geo.dw - geo.pw
            // Output columns whose input column lies inside the row.
            let (lo, hi) = geo.columnRange(tap: j)
            var out = dst + (l - depth.lowerBound) * panel
            var pixel = firstPixel
            let end = firstPixel + count
            while pixel < end {
                let oy = pixel / wo, rowEnd = Swift.min(end, (oy + 1) * wo)
                let iy = oy * geo.sh - geo.ph + i * geo.dh
                var ox = pixel - oy * wo
                let oxEnd = ox + (rowEnd - pixel)
                if iy < 0 || iy >= geo.h {
                    while ox < oxEnd { out.update(repeating: 0, count: panel); out += stride; ox += panel }
                } else {
                    let row = plane + iy * geo.w + ix0
                    while ox < oxEnd {
                        if evenLanes && ox >= lo && ox + panel <= hi && ix0 + 2 * ox + 16 <= geo.w {
                            // Eight stride-2 pixels: the even lanes of a 16-wide load inside the row.
                            let v = UnsafeRawPointer(row + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
                            UnsafeMutableRawPointer(out).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                        } else if ox >= lo && ox + panel <= hi {
                            for t in 0..<panel { out[t] = row[(ox + t) * geo.sw] }
                        } else {
                            for t in 0..<panel { let o = ox + t; out[t] = o >= lo && o < hi ? row[o * geo.sw] : 0 }
                        }
                        out += stride; ox += panel
                    }
                }
                pixel = rowEnd
            }
        }
    }
}
