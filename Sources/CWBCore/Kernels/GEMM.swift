import CBLAS
import Foundation

/// C = α·op(A)·op(B) + β·C on row-major matrices, through OpenBLAS.
enum GEMM {
    static func run(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                    m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
                    alpha: Float = 1, beta: Float = 0, lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 { for i in 0..<m { (c + i * (ldc ?? n)).update(repeating: 0, count: n) } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda ?? (transA ? m : k)), b, Int32(ldb ?? (transB ? k : n)), beta, c, Int32(ldc ?? n))
    }
}

extension GEMM {
    /// Runs `body(worker)` on `workers` threads with OpenBLAS's own threading off, so each
    /// worker's GEMMs run single-threaded on its core: whole samples per core, and no
    /// synchronisation inside a GEMM.
    static func onWorkers(_ workers: Int, _ body: (Int) -> Void) {
        let saved = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(saved) }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let run = body
            DispatchQueue.concurrentPerform(iterations: workers) { run($0) }
        }
    }
}
