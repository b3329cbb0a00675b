import Foundation

/// The shape of one 2-D convolution: input N×C×H×W, weight O×C×kh×kw, output N×O×Ho×Wo.
/// Conv-transpose uses the same geometry with input and output exchanged.
public struct ConvGeometry: Equatable, Sendable {
    public let n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw: Int
    public var ho: Int { outputLength(h + 2 * ph - dh * (kh - 1) - 1, stride: sh) }
    public var wo: Int { outputLength(w + 2 * pw - dw * (kw - 1) - 1, stride: sw) }
    var plane: Int { ho * wo }
    var ckk: Int { c * kh * kw }
    var inputShape: [Int] { [n, c, h, w] }
    var outputShape: [Int] { [n, o, ho, wo] }
    var weightShape: [Int] { [o, c, kh, kw] }
    /// A 1×1, stride-1, unpadded conv reads its input as the im2col matrix itself.
    var isPointwise: Bool { kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 }
    /// Samples per GEMM: enough that the GEMM's column count reaches ~1024 (small feature
    /// maps deep in a U-Net would otherwise make thin, slow GEMMs).
    var groupSize: Int { Swift.max(1, Swift.min(n, (1024 + plane - 1) / Swift.max(plane, 1))) }
    /// Output rows per band of a one-sample forward: a column matrix of at most ~2 M floats
    /// (8 MB), but never under 1024 columns, where the GEMM would slow down.
    var outputRowsPerBand: Int {
        let rows = Swift.max(2 << 20 / Swift.max(ckk * wo, 1), (1024 + wo - 1) / Swift.max(wo, 1))
        return Swift.max(1, Swift.min(ho, rows))
    }
    /// Whether the data gradient's column matrix (weightᵀ · `columns` pixels) is better formed
    /// pixel-major and transposed (`GEMM.runTransposed`): when the pixels are few and the
    /// weight matrix is wide — the deepest layers of a one-sample pass. Past ~256 pixels the
    /// GEMM's gain shrinks (6 % at 512, 2 % at 2048, on one core) while the transpose grows.
    func prefersPixelMajorProduct(columns: Int) -> Bool {
        ConvGeometry.pixelMajorProducts && columns <= 256 && ckk >= 8 * columns
    }
    /// Switch for benchmarks and tests (CWB_CONV_PIXEL_MAJOR=0 turns it off).
    public nonisolated(unsafe) static var pixelMajorProducts =
        ProcessInfo.processInfo.environment["CWB_CONV_PIXEL_MAJOR"] != "0"
    /// Cores that each take whole bands of a one-sample forward (see `forwardInBands`): when
    /// there are more output pixels than channels (the GEMM would split its columns anyway)
    /// and at least 512 pixels a core; 1 otherwise.
    var bandWorkers: Int {
        let workers = Parallel.maxThreads
        guard workers > 1, plane > o, plane >= 512 * workers, ho >= workers, ConvGeometry.bandsPerCore else { return 1 }
        return workers
    }
    /// Switch for benchmarks comparing the two strategies (CWB_CONV_BANDS_PER_CORE=0 turns it off).
    public nonisolated(unsafe) static var bandsPerCore =
        ProcessInfo.processInfo.environment["CWB_CONV_BANDS_PER_CORE"] != "0"
    /// Multiply–adds of the forward pass.
    public var macs: Int { n * o * plane * ckk }
    /// Cores that each take whole samples (packing + single-threaded GEMMs per sample) when
    /// samples are large enough to be GEMMs on their own; 1 means one sample (group) at a time
    /// with both cores inside each GEMM. Used by the row-shift path and im2col's gradient
    /// primitives; im2col's forward keeps the grouped strategy (per-sample cores made it ~15
    /// points of the sgemm figure slower: two cores each writing a 9×-input matrix).
    var sampleWorkers: Int {
        guard groupSize == 1, n >= 2, Parallel.maxThreads >= 2, ConvGeometry.sampleParallel else { return 1 }
        return Swift.min(Parallel.maxThreads, n)
    }
    /// Switch for benchmarks comparing the two strategies (CWB_CONV_SAMPLE_PARALLEL=0 turns it off).
    public nonisolated(unsafe) static var sampleParallel =
        ProcessInfo.processInfo.environment["CWB_CONV_SAMPLE_PARALLEL"] != "0"
}

extension ConvGeometry {
    /// Output columns ox whose input column ox·sw − pw + tap·dw lies inside the image.
    @inline(__always)
    func columnRange(tap j: Int) -> (Int, Int) {
        let ix0 = j * dw - pw
        let lo = Swift.min(wo, ix0 >= 0 ? 0 : (-ix0 + sw - 1) / sw)
        return (lo, Swift.max(lo, Swift.min(wo, (w - ix0 + sw - 1) / sw)))
    }
}

/// Positions a window can take: `span` = padded length − window extent; 0 when the window
/// does not fit (Swift's division truncates toward zero, so −1 / 2 would wrongly give 1).
@inline(__always)
func outputLength(_ span: Int, stride: Int) -> Int { span < 0 ? 0 : span / stride + 1 }

enum Im2col {
    /// cols[(c·kh+i)·kw+j, g·P + oy·Wo + ox] = x[n0+g, c, oy·sh−ph+i·dh, ox·sw−pw+j·dw] (0 outside);
    /// with `outputRows`, only those output rows (P is then their count × Wo).
    static func pack(_ x: UnsafePointer<Float>, _ geo: ConvGeometry, firstSample n0: Int, samples: Int,
                     outputRows: Range<Int>? = nil, into cols: UnsafeMutablePointer<Float>, parallel: Bool = true) {
        let rowsRange = outputRows ?? 0..<geo.ho
        let hw = geo.h * geo.w, p = rowsRange.count * geo.wo, rowLength = samples * p
        let kk = geo.kh * geo.kw
        Parallel.forChunks(geo.ckk, minChunk: parallel ? Swift.max(1, 8192 / Swift.max(rowLength, 1)) : Int.max) { rows in
            for r in rows {
                let c = r / kk, i = (r / geo.kw) % geo.kh, j = r % geo.kw
                let ix0 = j * geo.dw - geo.pw
                let (lo, hi) = geo.columnRange(tap: j)
                for s in 0..<samples {
                    let src = x + ((n0 + s) * geo.c + c) * hw
                    let dst = cols + r * rowLength + s * p
                    for oy in rowsRange {
                        let iy = oy * geo.sh - geo.ph + i * geo.dh
                        let row = dst + (oy - rowsRange.lowerBound) * geo.wo
                        if iy < 0 || iy >= geo.h { row.update(repeating: 0, count: geo.wo); continue }
                        let srcRow = src + iy * geo.w + ix0
                        if lo > 0 { row.update(repeating: 0, count: lo) }
                        if geo.sw == 1 { (row + lo).update(from: srcRow + lo, count: hi - lo) }
                        else if geo.sw == 2 { gatherEven(srcRow, lo, hi, limit: geo.w - ix0, into: row) }
                        else { for ox in lo..<hi { row[ox] = srcRow[ox * geo.sw] } }
                        if hi < geo.wo { (row + hi).update(repeating: 0, count: geo.wo - hi) }
                    }
                }
            }
        }
    }

    /// row[ox] = src[2·ox] for ox in lo..<hi, eight at a time through the even lanes of a
    /// 16-wide load (the scalar strided copy was most of im2col's time in the U-Net's stride-2
    /// layers). `limit` bounds the readable src elements, so a load never passes the row's end.
    @inline(__always)
    static func gatherEven(_ src: UnsafePointer<Float>, _ lo: Int, _ hi: Int, limit: Int, into row: UnsafeMutablePointer<Float>) {
        var ox = lo
        while ox + 8 <= hi && 2 * ox + 16 <= limit {
            let v = UnsafeRawPointer(src + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(row + ox).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
            ox += 8
        }
        while ox < hi { row[ox] = src[2 * ox]; ox += 1 }
    }

    /// The adjoint of `pack`: sums every column entry back into its input pixel, overwriting
    /// samples n0..<n0+s of `x`. Each plane is cleared just before its taps are added, while
    /// it is in cache (clearing the whole tensor first was a separate pass through memory).
    static func unpack(_ cols: UnsafePointer<Float>, _ geo: ConvGeometry, firstSample n0: Int, samples: Int,
                       into x: UnsafeMutablePointer<Float>, parallel: Bool = true) {
        let hw = geo.h * geo.w, p = geo.plane, rowLength = samples * p
        Parallel.forChunks(geo.c, minChunk: parallel ? 1 : Int.max) { channels in
            for c in channels {
                for s in 0..<samples {
                    let dstPlane = x + ((n0 + s) * geo.c + c) * hw
                    dstPlane.update(repeating: 0, count: hw)
                    for i in 0..<geo.kh {
                        var j = 0
                        while j < geo.kw {
                            let r = (c * geo.kh + i) * geo.kw + j
                            let src = cols + r * rowLength + s * p
                            // Stride 2: taps j and j+1 land on neighbouring pixels, so they are
                            // added together as one interleaved, contiguous run.
                            let paired = geo.sw == 2 && geo.dw == 1 && j + 1 < geo.kw
                            let (lo, hi) = geo.columnRange(tap: j)
                            let (loB, hiB) = paired ? geo.columnRange(tap: j + 1) : (0, 0)
                            let both = Swift.max(lo, loB)..<Swift.max(Swift.max(lo, loB), Swift.min(hi, hiB))
                            let ix0 = j * geo.dw - geo.pw
                            for oy in 0..<geo.ho {
                                let iy = oy * geo.sh - geo.ph + i * geo.dh
                                if iy < 0 || iy >= geo.h { continue }
                                let row = src + oy * geo.wo
                                let dstRow = dstPlane + iy * geo.w + ix0
                                if geo.sw == 1 { for ox in lo..<hi { dstRow[ox] += row[ox] }; continue }
                                guard paired else { for ox in lo..<hi { dstRow[ox * geo.sw] += row[ox] }; continue }
                                let rowB = row + rowLength
                                addInterleaved(row, rowB, both, into: dstRow)
                                // The few edge columns only one of the two taps reaches.
                                for ox in lo..<Swift.min(hi, both.lowerBound) { dstRow[2 * ox] += row[ox] }
                                for ox in Swift.max(lo, both.upperBound)..<hi { dstRow[2 * ox] += row[ox] }
                                for ox in loB..<Swift.min(hiB, both.lowerBound) { dstRow[2 * ox + 1] += rowB[ox] }
                                for ox in Swift.max(loB, both.upperBound)..<hiB { dstRow[2 * ox + 1] += rowB[ox] }
                            }
                            j += paired ? 2 : 1
                        }
                    }
                }
            }
        }
    }

    /// dst[2·ox] += a[ox], dst[2·ox + 1] += b[ox] for ox in `range`, eight pairs at a time.
    @inline(__always)
    static func addInterleaved(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ range: Range<Int>,
                               into dst: UnsafeMutablePointer<Float>) {
        var ox = range.lowerBound
        while ox + 8 <= range.upperBound {
            let x = UnsafeRawPointer(a + ox).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + ox).loadUnaligned(as: SIMD8<Float>.self)
            let d = UnsafeMutableRawPointer(dst + 2 * ox)
            let sum = d.loadUnaligned(as: SIMD16<Float>.self)
                + SIMD16(x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3], x[4], y[4], x[5], y[5], x[6], y[6], x[7], y[7])
            d.storeBytes(of: sum, as: SIMD16<Float>.self)
            ox += 8
        }
        while ox < range.upperBound { dst[2 * ox] += a[ox]; dst[2 * ox + 1] += b[ox]; ox += 1 }
    }

    /// The (C·kh·kw) × (s·P) im2col matrix of samples n0..<n0+s: the input itself for a
    /// pointwise conv of one sample, else packed into the buffer `buffer()` gives.
    static func columns(_ x: UnsafePointer<Float>, _ geo: ConvGeometry, firstSample n0: Int, samples s: Int,
                        parallel: Bool = true, buffer: () -> UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if geo.isPointwise && s == 1 { return x + n0 * geo.c * geo.plane }
        let b = buffer()
        pack(x, geo, firstSample: n0, samples: s, into: b, parallel: parallel)
        return UnsafePointer(b)
    }

    /// The O × (s·P) matrix of samples n0..<n0+s of an N×O×P tensor: the tensor itself for one
    /// sample, else gathered into the buffer `buffer()` gives.
    static func sampleMatrix(_ y: UnsafePointer<Float>, rows: Int, plane: Int, firstSample n0: Int, samples s: Int,
                             buffer: () -> UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if s == 1 { return y + n0 * rows * plane }
        let b = buffer()
        gatherSamples(y, rows: rows, plane: plane, firstSample: n0, samples: s, into: b)
        return UnsafePointer(b)
    }

    /// Copies samples n0..<n0+G of an N×O×P tensor into an O×(G·P) matrix (or back).
    static func gatherSamples(_ t: UnsafePointer<Float>, rows: Int, plane: Int, firstSample n0: Int, samples: Int,
                              into m: UnsafeMutablePointer<Float>) {
        for s in 0..<samples {
            for r in 0..<rows {
                (m + r * samples * plane + s * plane).update(from: t + ((n0 + s) * rows + r) * plane, count: plane)
            }
        }
    }

    static func scatterSamples(_ m: UnsafePointer<Float>, rows: Int, plane: Int, firstSample n0: Int, samples: Int,
                               into t: UnsafeMutablePointer<Float>) {
        for s in 0..<samples {
            for r in 0..<rows {
                (t + ((n0 + s) * rows + r) * plane).update(from: m + r * samples * plane + s * plane, count: plane)
            }
        }
    }
}

/// Scratch memory reused between calls on one thread (im2col matrices are large and
/// allocating them per call costs page faults on every step). The conv paths are exclusive
/// within one primitive call and share slots: 0 the packed or rearranged-weight matrix, 1 a
/// second matrix (or the flipped weights of the row-shift input gradient), 2… one buffer per
/// core and per-core partial sums (or, on one thread, a pixel-major product before its
/// transpose); the paths on OpenBLAS's packed routines keep each core's packed row-shift
/// matrix in slots 2 + cores …, the packed weights in slot 2 + 2·cores, and each core's packed
/// block of pixels in slots 3 + 2·cores ….
final class Workspace {
    nonisolated(unsafe) static var shared = Workspace()
    private var buffers: [Storage] = []

    /// `count` floats in slot `slot`, grown as needed; valid until the next call for that slot.
    func buffer(_ slot: Int, _ count: Int) -> UnsafeMutablePointer<Float> {
        while buffers.count <= slot { buffers.append(Storage(uninitializedCount: 0)) }
        if buffers[slot].count < count { buffers[slot] = Storage(uninitializedCount: count) }
        return buffers[slot].pointer
    }
}
