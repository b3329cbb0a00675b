import Foundation

extension Tensor {
    /// Matrix product: (M,K)@(K,N), batched (B,M,K)@(B,K,N), or (B,M,K)@(K,N).
    public func matmul(_ other: Tensor) throws -> Tensor {
        try Tensor.mm(self, other, transA: false, transB: false)
    }

    public static func ~* (a: Tensor, b: Tensor) throws -> Tensor { try a.matmul(b) }

    /// op(A)·op(B) where op transposes the last two axes when asked: backward rules use the
    /// flags instead of materialising transposes.
    static func mm(_ a: Tensor, _ b: Tensor, transA: Bool, transB: Bool) throws -> Tensor {
        let bad = TensorError("matmul: shapes \(shapeString(a.shape))\(transA ? "ᵀ" : "") and \(shapeString(b.shape))\(transB ? "ᵀ" : "") do not multiply")
        guard (a.rank == 2 || a.rank == 3), (b.rank == 2 || b.rank == 3), !(a.rank == 2 && b.rank == 3) else { throw bad }
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transA ? (ac, ar) : (ar, ac)
        let (k2, n) = transB ? (bc, br) : (br, bc)
        guard k == k2 else { throw bad }
        let batch = a.rank == 3 ? a.shape[0] : 1
        if b.rank == 3 { guard b.shape[0] == batch else { throw bad } }
        let outShape = a.rank == 3 ? [batch, m, n] : [m, n]
        try AllocationLimit.check(outShape, "matmul")
        let out = Tensor.uninitialized(outShape)
        if a.rank == 3 && b.rank == 2 && !transA {
            // One large GEMM: the batch folds into the rows.
            GEMM.run(a.pointer, b.pointer, out.pointer, m: batch * m, n: n, k: k, transB: transB)
        } else {
            let bStride = b.rank == 3 ? br * bc : 0
            for i in 0..<batch {
                GEMM.run(a.pointer + i * ar * ac, b.pointer + i * bStride, out.pointer + i * m * n,
                         m: m, n: n, k: k, transA: transA, transB: transB)
            }
        }
        return out.recorded("matmul", [a, b]) { g, c in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if c.needs(0) {
                ga = transA ? try mm(b, g, transA: transB, transB: true) : try mm(g, b, transA: false, transB: !transB)
            }
            if c.needs(1) {
                if a.rank == 3 && b.rank == 2 {
                    // b was shared by the batch: fold the batch into the reduced axis.
                    let a2 = try a.reshape([batch * ar, ac]), g2 = try g.reshape([batch * m, n])
                    gb = transB ? try mm(g2, a2, transA: true, transB: transA) : try mm(a2, g2, transA: !transA, transB: false)
                } else {
                    gb = transB ? try mm(g, a, transA: true, transB: transA) : try mm(a, g, transA: !transA, transB: false)
                }
            }
            return [ga, gb]
        }
    }
}

infix operator ~*: MultiplicationPrecedence
