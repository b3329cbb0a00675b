import Foundation

// Reductions over any set of axes. Each pass reduces one run of adjacent axes viewed as
// (outer, reduced, inner); several runs take several passes.

enum ReduceKind { case sum, max, min }

extension Tensor {
    /// Axes made non-negative, unique and sorted; nil or empty means all axes.
    func normalizedAxes(_ axes: [Int]?, _ op: String) throws -> [Int] {
        guard let axes, !axes.isEmpty else { return Array(0..<rank) }
        var out = Set<Int>()
        for a in axes {
            let n = a < 0 ? a + rank : a
            guard n >= 0 && n < rank else {
                throw TensorError("\(op): axis \(a) is out of range for shape \(shapeString(shape))")
            }
            out.insert(n)
        }
        return out.sorted()
    }

    func keptShape(_ axes: [Int]) -> [Int] {
        var s = shape
        for a in axes { s[a] = 1 }
        return s
    }

    /// The reduction kernel: returns the result in keep-dims shape.
    func reduced(_ axes: [Int], _ kind: ReduceKind) -> Tensor {
        var current = self
        var curShape = shape
        // Runs of adjacent axes, last first, so earlier axis indices stay valid.
        var runs: [(Int, Int)] = []
        for a in axes {
            if let last = runs.last, last.1 == a { runs[runs.count - 1].1 = a + 1 } else { runs.append((a, a + 1)) }
        }
        if axes.isEmpty || curShape.isEmpty { return copy() }
        for (lo, hi) in runs.reversed() {
            let outer = curShape[..<lo].reduce(1, *)
            let r = curShape[lo..<hi].reduce(1, *)
            let inner = curShape[hi...].reduce(1, *)
            for a in lo..<hi { curShape[a] = 1 }
            let out = Tensor.uninitialized(curShape)
            Reduction.run(current.pointer, outer: outer, r: r, inner: inner, into: out.pointer, kind)
            current = out
        }
        return current
    }

    public func sum(axes: [Int]?, keepDims: Bool = false) throws -> Tensor {
        let ax = try normalizedAxes(axes, "sum")
        let keep = keptShape(ax)
        let source = shape
        let out = reduced(ax, .sum).recorded("sum", [self]) { g, _ in
            [try g.reshape(keep).expand(source)]
        }
        return keepDims ? out : try out.reshape(Tensor.dropAxes(shape, ax))
    }

    public func sum() -> Tensor { (try? sum(axes: nil)) ?? Tensor(0) }

    public func mean(axes: [Int]?, keepDims: Bool = false) throws -> Tensor {
        let ax = try normalizedAxes(axes, "mean")
        let n = ax.reduce(1) { $0 * shape[$1] }
        return try sum(axes: ax, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    public func mean() -> Tensor { (try? mean(axes: nil)) ?? Tensor(0) }

    public func max(axes: [Int]?, keepDims: Bool = false) throws -> Tensor { try extreme(axes, keepDims, .max, "max") }
    public func min(axes: [Int]?, keepDims: Bool = false) throws -> Tensor { try extreme(axes, keepDims, .min, "min") }
    public func max() -> Tensor { (try? max(axes: nil)) ?? Tensor(0) }
    public func min() -> Tensor { (try? min(axes: nil)) ?? Tensor(0) }

    /// Max/min; the gradient is shared evenly between tied elements (PyTorch's amax/amin).
    private func extreme(_ axes: [Int]?, _ keepDims: Bool, _ kind: ReduceKind, _ op: String) throws -> Tensor {
        let ax = try normalizedAxes(axes, op)
        guard count > 0 else { throw TensorError("\(op): cannot reduce an empty tensor of shape \(shapeString(shape))") }
        let keep = keptShape(ax)
        let out = reduced(ax, kind).recordedUsingOutput(op, [self]) { g, out, _ in
            let mask = try self.detached().eq(out.detached().expand(self.shape))
            let ties = try mask.sum(axes: ax, keepDims: true)
            return [try (g.reshape(keep) / ties).expand(self.shape) * mask]
        }
        return keepDims ? out : try out.reshape(Tensor.dropAxes(shape, ax))
    }

    /// Variance over `axes` (unbiased by default, as PyTorch's `var`).
    public func variance(axes: [Int]?, unbiased: Bool = true, keepDims: Bool = false) throws -> Tensor {
        let ax = try normalizedAxes(axes, "var")
        let n = ax.reduce(1) { $0 * shape[$1] }
        let centered = try self - (try mean(axes: ax, keepDims: true))
        let ss = try (centered * centered).sum(axes: ax, keepDims: keepDims)
        return ss * (1 / Float(Swift.max(unbiased ? n - 1 : n, 1)))
    }

    static func dropAxes(_ shape: [Int], _ axes: [Int]) -> [Int] {
        shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// Sums a broadcast gradient back to `target` (the adjoint of broadcasting).
    public func sumTo(_ target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        guard lead >= 0 else { throw TensorError("sumTo: cannot reduce \(shapeString(shape)) to \(shapeString(target))") }
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() {
            if d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
            else if d != shape[lead + i] { throw TensorError("sumTo: cannot reduce \(shapeString(shape)) to \(shapeString(target))") }
        }
        if axes.isEmpty { return try reshape(target) }
        return try sum(axes: axes, keepDims: true).reshape(target)
    }
}

enum Reduction {
    static func run(_ x: UnsafePointer<Float>, outer: Int, r: Int, inner: Int,
                    into out: UnsafeMutablePointer<Float>, _ kind: ReduceKind) {
        if inner == 1 {
            Parallel.forChunks(outer, minChunk: Swift.max(1, 1 << 16 / Swift.max(r, 1))) { rows in
                for o in rows {
                    let p = x + o * r
                    switch kind {
                    case .sum:
                        // Eight Double lanes: accurate for long runs, still vectorised.
                        var acc = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
                        var k = 0
                        while k + 8 <= r {
                            acc.0 += Double(p[k]); acc.1 += Double(p[k + 1]); acc.2 += Double(p[k + 2]); acc.3 += Double(p[k + 3])
                            acc.4 += Double(p[k + 4]); acc.5 += Double(p[k + 5]); acc.6 += Double(p[k + 6]); acc.7 += Double(p[k + 7])
                            k += 8
                        }
                        var s = ((acc.0 + acc.1) + (acc.2 + acc.3)) + ((acc.4 + acc.5) + (acc.6 + acc.7))
                        while k < r { s += Double(p[k]); k += 1 }
                        out[o] = Float(s)
                    case .max:
                        var m = p[0]; for k in 1..<Swift.max(r, 1) { m = Swift.max(m, p[k]) }; out[o] = m
                    case .min:
                        var m = p[0]; for k in 1..<Swift.max(r, 1) { m = Swift.min(m, p[k]) }; out[o] = m
                    }
                }
            }
            return
        }
        Parallel.forChunks(outer, minChunk: Swift.max(1, 1 << 16 / Swift.max(r * inner, 1))) { rows in
            for o in rows {
                let dst = out + o * inner
                let src = x + o * r * inner
                dst.update(from: src, count: inner)
                for k in 1..<Swift.max(r, 1) {
                    let row = src + k * inner
                    switch kind {
                    case .sum: for i in 0..<inner { dst[i] += row[i] }
                    case .max: for i in 0..<inner { dst[i] = Swift.max(dst[i], row[i]) }
                    case .min: for i in 0..<inner { dst[i] = Swift.min(dst[i], row[i]) }
                    }
                }
            }
        }
    }
}
