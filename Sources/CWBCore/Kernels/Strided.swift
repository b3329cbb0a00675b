import Foundation

/// One kernel behind permute, slice, expand, pad and concat: a strided walk over one tensor
/// copied to (or added into) a contiguous region of another. `strides` may be 0 (repeat) or
/// negative-free multiples; `offset` is where the walk starts.
enum Strided {
    /// dst (contiguous, `shape`) = src[offset + Σ iₖ·strideₖ]
    static func gather(from src: UnsafePointer<Float>, offset: Int, strides: [Int], shape: [Int],
                       into dst: UnsafeMutablePointer<Float>) {
        walk(shape: shape, strides: strides) { outer, srcOff, n, s in
            let o = dst + outer, i = src + offset + srcOff
            if s == 1 { o.update(from: i, count: n) }
            else if s == 0 { o.update(repeating: i[0], count: n) }
            else { for k in 0..<n { o[k] = i[k * s] } }
        }
    }

    /// dst[offset + Σ iₖ·strideₖ] (+)= src (contiguous, `shape`). With `accumulate` false the
    /// strided positions must be distinct.
    static func scatter(_ src: UnsafePointer<Float>, shape: [Int], into dst: UnsafeMutablePointer<Float>,
                        offset: Int, strides: [Int], accumulate: Bool) {
        // Accumulating through stride-0 dims would race between chunks: keep that serial.
        let serial = accumulate && strides.contains(0)
        walk(shape: shape, strides: strides, serial: serial) { outer, dstOff, n, s in
            let i = src + outer, o = dst + offset + dstOff
            if accumulate {
                if s == 0 { var acc: Float = 0; for k in 0..<n { acc += i[k] }; o[0] += acc }
                else { for k in 0..<n { o[k * s] += i[k] } }
            } else if s == 1 { o.update(from: i, count: n) }
            else { for k in 0..<n { o[k * s] = i[k] } }
        }
    }

    /// Calls `run(contiguousOffset, stridedOffset, innerCount, innerStride)` for each inner row,
    /// after merging dimensions that are contiguous in the strided tensor too.
    @inline(__always)
    static func walk(shape: [Int], strides: [Int], serial: Bool = false,
                     _ run: (Int, Int, Int, Int) -> Void) {
        var dims: [(n: Int, s: Int)] = []
        for (n, s) in Swift.zip(shape, strides) where n != 1 {
            if n == 0 { return }
            if let last = dims.last, last.s == s * n { dims[dims.count - 1] = (last.n * n, s) }
            else { dims.append((n, s)) }
        }
        let inner = dims.popLast() ?? (1, 1)
        let outerShape = dims.map(\.n), outerStrides = dims.map(\.s)
        let outerCount = outerShape.reduce(1, *)
        let minRows = serial ? Int.max : max(1, Elementwise.parallelThreshold / max(inner.n, 1))
        Parallel.forChunks(outerCount, minChunk: minRows) { rows in
            var c = [Int](repeating: 0, count: outerShape.count), rest = rows.lowerBound, off = 0
            for i in stride(from: outerShape.count - 1, through: 0, by: -1) {
                c[i] = rest % outerShape[i]; rest /= outerShape[i]; off += c[i] * outerStrides[i]
            }
            for row in rows {
                run(row * inner.n, off, inner.n, inner.s)
                var i = c.count - 1
                while i >= 0 {
                    c[i] += 1; off += outerStrides[i]
                    if c[i] < outerShape[i] { break }
                    off -= outerStrides[i] * outerShape[i]; c[i] = 0; i -= 1
                }
            }
        }
    }

    /// Row-major strides of a contiguous shape.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var st = [Int](repeating: 1, count: shape.count), acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { st[i] = acc; acc *= shape[i] }
        return st
    }
}
