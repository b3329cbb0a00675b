import CBLAS
import Foundation

/// OpenBLAS's own packing routines and inner kernel for the CPU it picked, called directly so a
/// convolution can pack an operand once and run several products on it. `cblas_sgemm` packs both
/// operands on every call: the row-shift conv's kh GEMMs per sample each repacked nearly the same
/// pixels (one kernel row apart), and every sample repacked the same weights — 11.6 % of a 3×3
/// conv's time went to OpenBLAS's copies against 5.2 % of a 2048³ sgemm's.
///
/// In OpenBLAS's column-major terms a product is C (m × n, accumulated into) += A (m × k) · B (k × n).
/// `packA` lays A out in panels of `panelA` rows, each panel k-major; `packB` lays B out in panels
/// of columns (nothing here starts inside a packed B, so its width is not needed). A product may
/// start at any whole panel of a packed A, which is what lets one packed row-shift matrix serve
/// every kernel row. `panelA` is read off the routine when it loads, and a probe product against
/// a plain loop must match, else this stays off.
enum PackedGEMM {
    typealias Copy = @convention(c) (Int, Int, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Int32
    typealias Kernel = @convention(c) (Int, Int, Int, Float, UnsafePointer<Float>, UnsafePointer<Float>,
                                       UnsafeMutablePointer<Float>, Int) -> Int32

    struct Routines {
        /// packA(k, m, a, lda, into): A[r, l] = a[r + l·lda] into panels of `panelA` rows.
        let packA: Copy
        /// packB(k, n, b, ldb, into): B[l, j] = b[l + j·ldb] into panels of columns, k·n floats in all.
        let packB: Copy
        /// kernel(m, n, k, α, packedA, packedB, c, ldc): C[r, j] (at c + r + j·ldc) += α·A·B.
        let kernel: Kernel
        let panelA: Int
    }

    /// The routines to use: those of the core OpenBLAS chose, or nil when they cannot be found,
    /// fail the probe, or are switched off.
    static var active: Routines? { enabled ? routines : nil }
    static let routines: Routines? = load()

    /// Switch for benchmarks and tests (CWB_PACKED_GEMM=0 keeps every product on cblas_sgemm).
    nonisolated(unsafe) static var enabled = ProcessInfo.processInfo.environment["CWB_PACKED_GEMM"] != "0"

    /// The depth of a product cut into near-equal chunks of at most `maximumDepth`, each packed
    /// on its own, so that a panel of the packed weights stays in L1 while the kernel runs.
    static func depthChunks(_ depth: Int) -> [Range<Int>] {
        let chunks = Swift.max(1, (depth + maximumDepth - 1) / maximumDepth)
        return (0..<chunks).map { depth * $0 / chunks..<depth * ($0 + 1) / chunks }
    }
    /// Largest depth of one packed chunk (256 and 768 were within noise of each other on a 3×3
    /// conv's 768-deep products; 256 kept 512-channel convs' weight panels in L1).
    nonisolated(unsafe) static var maximumDepth = Int(ProcessInfo.processInfo.environment["CWB_PACKED_DEPTH"] ?? "") ?? 256

    /// Output pixels per block of a conv's products (a multiple of every panel width): all depth
    /// chunks of a block run together, so its block of C stays in cache.
    nonisolated(unsafe) static var pixelBlock = Int(ProcessInfo.processInfo.environment["CWB_PACKED_BLOCK"] ?? "") ?? 256

    /// Packs the weights of a conv, row-major `rows` × depth with leading dimension `ld`, as the
    /// kernel's B (n = rows): chunk d at `into + d.lowerBound·rows`.
    static func packWeights(_ r: Routines, _ w: UnsafePointer<Float>, rows: Int, ld: Int, chunks: [Range<Int>],
                            into dst: UnsafeMutablePointer<Float>) {
        Parallel.forChunks(chunks.count, minChunk: rows * ld >= 1 << 18 ? 1 : Int.max) { range in
            for d in chunks[range] { _ = r.packB(d.count, rows, w + d.lowerBound, ld, dst + d.lowerBound * rows) }
        }
    }

    /// Packs pixels `first ..< first + count` of a depth × `pixels` row-major matrix (leading
    /// dimension `ld`) as the kernel's A, chunk d at `into + d.lowerBound·pixels + first·d.count`:
    /// `first` must be a whole number of panels, so that ranges can be packed apart (on several cores).
    static func packPixels(_ r: Routines, _ m: UnsafePointer<Float>, first: Int, count: Int, pixels: Int, ld: Int,
                           chunks: [Range<Int>], into dst: UnsafeMutablePointer<Float>) {
        for d in chunks {
            _ = r.packA(d.count, count, m + d.lowerBound * ld + first, ld, dst + d.lowerBound * pixels + first * d.count)
        }
    }

    private static func load() -> Routines? {
        guard let handle = dlopen(nil, RTLD_NOW), let core = openblas_get_corename() else { return nil }
        // A DYNAMIC_ARCH build (Debian's) names each core's routines with its suffix.
        let suffixes = ["_" + String(cString: core).uppercased(), ""]
        for suffix in suffixes {
            guard let a = dlsym(handle, "sgemm_itcopy" + suffix), let b = dlsym(handle, "sgemm_oncopy" + suffix),
                  let k = dlsym(handle, "sgemm_kernel" + suffix) else { continue }
            let packA = unsafeBitCast(a, to: Copy.self), packB = unsafeBitCast(b, to: Copy.self)
            let kernel = unsafeBitCast(k, to: Kernel.self)
            guard let panelA = panelWidth(packA) else { return nil }
            let r = Routines(packA: packA, packB: packB, kernel: kernel, panelA: panelA)
            return probe(r) ? r : nil
        }
        return nil
    }

    /// The panel width of packA: pack a depth of two over 64 rows numbered r + 1000·l (row r,
    /// depth l); the first entry of depth 1 lands right after the first panel.
    private static func panelWidth(_ packA: Copy) -> Int? {
        var src = [Float](repeating: 0, count: 128), dst = [Float](repeating: -1, count: 256)
        for l in 0..<2 { for r in 0..<64 { src[r + 64 * l] = Float(r + 1000 * l) } }
        _ = src.withUnsafeBufferPointer { s in dst.withUnsafeMutableBufferPointer { packA(2, 64, s.baseAddress!, 64, $0.baseAddress!) } }
        guard let w = dst.firstIndex(of: 1000), w > 0, w <= 32, (0..<w).allSatisfy({ dst[$0] == Float($0) }) else { return nil }
        return w
    }

    /// A 37 × 13 × 29 product (ragged in every dimension) against a plain loop.
    private static func probe(_ r: Routines) -> Bool {
        let m = 37, n = 13, k = 29
        let a = (0..<m * k).map { Float(($0 * 7) % 11) - 5 }, b = (0..<k * n).map { Float(($0 * 5) % 13) - 6 }
        var c = [Float](repeating: 1, count: m * n)
        var pa = [Float](repeating: 0, count: m * k + 64), pb = [Float](repeating: 0, count: k * n + 64)
        a.withUnsafeBufferPointer { a in pa.withUnsafeMutableBufferPointer { _ = r.packA(k, m, a.baseAddress!, m, $0.baseAddress!) } }
        b.withUnsafeBufferPointer { b in pb.withUnsafeMutableBufferPointer { _ = r.packB(k, n, b.baseAddress!, k, $0.baseAddress!) } }
        pa.withUnsafeBufferPointer { pa in pb.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer {
            _ = r.kernel(m, n, k, 1, pa.baseAddress!, pb.baseAddress!, $0.baseAddress!, m)
        } } }
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 1
                for l in 0..<k { s += a[i + l * m] * b[l + j * k] }
                if abs(c[i + j * m] - s) > 1e-3 { return false }
            }
        }
        return true
    }
}
