import CBLAS
import Foundation

/// C = α·op(A)·op(B) + β·C on row-major matrices, through OpenBLAS.
enum GEMM {
    /// Large GEMMs are split into one block of C per core and run on cwb's own threads, with
    /// OpenBLAS single-threaded: one pool of threads for everything. OpenBLAS's own pool
    /// would spin (sched_yield) for a while after every GEMM, taking a core from the
    /// elementwise and im2col work that runs between GEMMs. CWB_GEMM_SPLIT=0 hands threading
    /// back to OpenBLAS (for comparing the two).
    nonisolated(unsafe) static var splitsItself = ProcessInfo.processInfo.environment["CWB_GEMM_SPLIT"] != "0"
    /// Set while `onWorkers` runs: each worker's GEMMs stay on its own core.
    nonisolated(unsafe) private static var insideWorkers = false
    private static let configured: Void = { if splitsItself { openblas_set_num_threads(1) } }()
    /// Below this many multiply–adds a GEMM runs on one core.
    static let splitThreshold = 1 << 22

    static func run(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                    m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
                    alpha: Float = 1, beta: Float = 0, lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil) {
        _ = configured
        if m == 0 || n == 0 { return }
        let lda = lda ?? (transA ? m : k), ldb = ldb ?? (transB ? k : n), ldc = ldc ?? n
        if k == 0 {
            if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        let parts = splitsItself && !insideWorkers && m * n * k >= splitThreshold ? Swift.min(Parallel.maxThreads, Swift.max(m, n) / 32) : 1
        guard parts > 1 else {
            sgemm(a, b, c, m: m, n: n, k: k, transA: transA, transB: transB, alpha: alpha, beta: beta, lda: lda, ldb: ldb, ldc: ldc)
            return
        }
        // Split the longer side of C; each block reads its rows of op(A) or columns of op(B).
        nonisolated(unsafe) let (pa, pb, pc) = (a, b, c)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            if m >= n {
                let r0 = m * part / parts, rows = m * (part + 1) / parts - r0
                sgemm(pa + (transA ? r0 : r0 * lda), pb, pc + r0 * ldc, m: rows, n: n, k: k, transA: transA, transB: transB,
                      alpha: alpha, beta: beta, lda: lda, ldb: ldb, ldc: ldc)
            } else {
                let c0 = n * part / parts, cols = n * (part + 1) / parts - c0
                sgemm(pa, pb + (transB ? c0 * ldb : c0), pc + c0, m: m, n: cols, k: k, transA: transA, transB: transB,
                      alpha: alpha, beta: beta, lda: lda, ldb: ldb, ldc: ldc)
            }
        }
    }

    private static func sgemm(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                              m: Int, n: Int, k: Int, transA: Bool, transB: Bool,
                              alpha: Float, beta: Float, lda: Int, ldb: Int, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

extension GEMM {
    /// Runs `body(worker)` on `workers` threads with each worker's GEMMs single-threaded on
    /// its core: whole samples per core, and no synchronisation inside a GEMM.
    static func onWorkers(_ workers: Int, _ body: (Int) -> Void) {
        _ = configured
        let saved = openblas_get_num_threads()
        openblas_set_num_threads(1)
        insideWorkers = true
        defer { openblas_set_num_threads(saved); insideWorkers = false }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let run = body
            DispatchQueue.concurrentPerform(iterations: workers) { run($0) }
        }
    }
}

extension GEMM {
    /// C = op(A)·op(B) formed as (op(B)ᵀ·op(A)ᵀ)ᵀ: the product is written n×m into `scratch`,
    /// then transposed into C. OpenBLAS is faster in that orientation when op(A) is tall and
    /// op(B) has few columns: the U-Net's deepest transposed conv at batch 1 (512×8192 weights,
    /// 64 pixels) ran ~30 % faster on one core, and the transpose of so small a product costs
    /// little next to it.
    static func runTransposed(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                              m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
                              scratch: UnsafeMutablePointer<Float>) {
        run(b, a, scratch, m: n, n: m, k: k, transA: !transB, transB: !transA)
        Transpose.matrix(scratch, rows: n, cols: m, into: c)
    }
}
