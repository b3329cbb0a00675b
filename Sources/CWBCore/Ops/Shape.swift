import Foundation

// Shape ops. Reshape shares storage; the rest copy through the one strided kernel, and each
// backward rule is the adjoint copy (slice ↔ unslice/pad, concat ↔ slices, expand ↔ sumTo).

/// One axis of a slice: start ..< end by step (step > 0), already clamped to the axis.
public struct SliceRange: Equatable, Sendable {
    public var start: Int, end: Int, step: Int
    public init(_ start: Int, _ end: Int, step: Int = 1) { self.start = start; self.end = end; self.step = step }
    public var count: Int { end > start ? (end - start + step - 1) / step : 0 }
}

extension Tensor {
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        var target = newShape
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        guard unknown.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw TensorError("reshape: bad target shape \(shapeString(newShape)) (one -1 at most, no other negatives)")
        }
        if let u = unknown.first {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw TensorError("reshape: cannot reshape \(shapeString(shape)) (\(count) elements) to \(shapeString(newShape))")
            }
            target[u] = count / known
        }
        guard target.reduce(1, *) == count else {
            throw TensorError("reshape: cannot reshape \(shapeString(shape)) (\(count) elements) to \(shapeString(newShape)) (\(target.reduce(1, *)) elements)")
        }
        if target == shape { return self }
        let source = shape
        return Tensor(shape: target, storage: storage).recorded("reshape", [self]) { g, _ in [try g.reshape(source)] }
    }

    /// Merges the axes from `start` on into one (e.g. N×C×H×W → N×CHW).
    public func flatten(from start: Int = 1) throws -> Tensor {
        guard start >= 0, start < Swift.max(rank, 1) else { throw TensorError("flatten: axis \(start) out of range for \(shapeString(shape))") }
        return try reshape(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    public func unsqueeze(_ axis: Int) throws -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        guard a >= 0 && a <= rank else { throw TensorError("unsqueeze: axis \(axis) out of range for \(shapeString(shape))") }
        var s = shape; s.insert(1, at: a)
        return try reshape(s)
    }

    public func squeeze(_ axis: Int) throws -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank, shape[a] == 1 else { throw TensorError("squeeze: axis \(axis) of \(shapeString(shape)) is not of size 1") }
        var s = shape; s.remove(at: a)
        return try reshape(s)
    }

    public func permute(_ dims: [Int]) throws -> Tensor {
        let d = dims.map { $0 < 0 ? $0 + rank : $0 }
        guard d.count == rank, Set(d) == Set(0..<rank) else {
            throw TensorError("permute: \(dims) is not a permutation of the \(rank) axes of \(shapeString(shape))")
        }
        if d == Array(0..<rank) { return self }
        let outShape = d.map { shape[$0] }
        let out = Tensor.uninitialized(outShape)
        if rank >= 2 && d == Array(0..<rank - 2) + [rank - 1, rank - 2] {
            // Matrices transposed: in tiles, not a strided walk.
            let rows = shape[rank - 2], cols = shape[rank - 1], size = rows * cols
            for m in 0..<(size == 0 ? 0 : count / size) {
                Transpose.matrix(pointer + m * size, rows: rows, cols: cols, into: out.pointer + m * size)
            }
        } else {
            let st = Strided.contiguousStrides(shape)
            Strided.gather(from: pointer, offset: 0, strides: d.map { st[$0] }, shape: outShape, into: out.pointer)
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in d.enumerated() { inverse[a] = i }
        return out.recorded("permute", [self]) { g, _ in [try g.permute(inverse)] }
    }

    public func transpose(_ a: Int, _ b: Int) throws -> Tensor {
        var d = Array(0..<rank)
        let x = a < 0 ? a + rank : a, y = b < 0 ? b + rank : b
        guard d.indices.contains(x), d.indices.contains(y) else {
            throw TensorError("transpose: axes \(a), \(b) out of range for \(shapeString(shape))")
        }
        d.swapAt(x, y)
        return try permute(d)
    }

    /// The transpose of a matrix.
    public func t() throws -> Tensor {
        guard rank == 2 else { throw TensorError("t: expects a matrix, got shape \(shapeString(shape))") }
        return try permute([1, 0])
    }

    /// Repeats size-1 axes (and new leading axes) up to `target`, as PyTorch's expand, copying.
    public func expand(_ target: [Int]) throws -> Tensor {
        if target == shape { return self }
        let lead = target.count - rank
        guard lead >= 0 else { throw TensorError("expand: cannot expand \(shapeString(shape)) to \(shapeString(target))") }
        let st = Strided.contiguousStrides(shape)
        var strides = [Int](repeating: 0, count: target.count)
        for i in 0..<rank {
            if shape[i] == target[lead + i] { strides[lead + i] = st[i] }
            else if shape[i] != 1 { throw TensorError("expand: cannot expand \(shapeString(shape)) to \(shapeString(target))") }
        }
        try AllocationLimit.check(target, "expand")
        let out = Tensor.uninitialized(target)
        Strided.gather(from: pointer, offset: 0, strides: strides, shape: target, into: out.pointer)
        let source = shape
        return out.recorded("expand", [self]) { g, _ in [try g.sumTo(source)] }
    }

    /// Slices every axis (ranges.count == rank); see `slice(axis:…)` for one axis.
    public func slice(_ ranges: [SliceRange]) throws -> Tensor {
        guard ranges.count == rank else {
            throw TensorError("slice: \(ranges.count) ranges for a tensor of rank \(rank) \(shapeString(shape))")
        }
        for (i, r) in ranges.enumerated() {
            guard r.step > 0, r.start >= 0, r.end <= shape[i], r.start <= r.end else {
                throw TensorError("slice: \(r.start)..<\(r.end) step \(r.step) does not fit axis \(i) of \(shapeString(shape))")
            }
        }
        if ranges.enumerated().allSatisfy({ $0.element == SliceRange(0, shape[$0.offset]) }) { return self }
        let st = Strided.contiguousStrides(shape)
        let offset = zip(ranges, st).reduce(0) { $0 + $1.0.start * $1.1 }
        let strides = zip(ranges, st).map { $0.step * $1 }
        let outShape = ranges.map(\.count)
        let out = Tensor.uninitialized(outShape)
        Strided.gather(from: pointer, offset: offset, strides: strides, shape: outShape, into: out.pointer)
        let source = shape
        return out.recorded("slice", [self]) { g, _ in [try g.unslice(ranges, into: source)] }
    }

    public func slice(axis: Int, start: Int, end: Int, step: Int = 1) throws -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else { throw TensorError("slice: axis \(axis) out of range for \(shapeString(shape))") }
        var ranges = shape.map { SliceRange(0, $0) }
        ranges[a] = SliceRange(start, end, step: step)
        return try slice(ranges)
    }

    /// The adjoint of `slice`: zeros of `shape` with self placed at `ranges`.
    func unslice(_ ranges: [SliceRange], into shape: [Int]) throws -> Tensor {
        let st = Strided.contiguousStrides(shape)
        let out = Tensor.zeros(shape)
        Strided.scatter(pointer, shape: self.shape, into: out.pointer,
                        offset: zip(ranges, st).reduce(0) { $0 + $1.0.start * $1.1 },
                        strides: zip(ranges, st).map { $0.step * $1 }, accumulate: false)
        return out.recorded("unslice", [self]) { g, _ in [try g.slice(ranges)] }
    }

    /// Zero padding: `padding[i]` = (before, after) for axis i; fewer pairs pad the last axes.
    public func pad(_ padding: [(Int, Int)]) throws -> Tensor {
        guard padding.count <= rank, padding.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 }) else {
            throw TensorError("pad: \(padding.count) non-negative (before, after) pairs expected for shape \(shapeString(shape))")
        }
        let full = [(Int, Int)](repeating: (0, 0), count: rank - padding.count) + padding
        let outShape = zip(shape, full).map { $0 + $1.0 + $1.1 }
        try AllocationLimit.check(outShape, "pad")
        let ranges = zip(shape, full).map { SliceRange($1.0, $1.0 + $0) }
        return try unslice(ranges, into: outShape)
    }

    public static func concat(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError("concat: no tensors given") }
        let a = axis < 0 ? axis + first.rank : axis
        guard a >= 0 && a < first.rank else { throw TensorError("concat: axis \(axis) out of range for \(shapeString(first.shape))") }
        for t in tensors {
            var s = t.shape, f = first.shape
            guard s.count == f.count else { throw TensorError("concat: shapes \(tensors.map { shapeString($0.shape) }.joined(separator: ", ")) differ in rank") }
            s[a] = 0; f[a] = 0
            guard s == f else { throw TensorError("concat: shapes \(tensors.map { shapeString($0.shape) }.joined(separator: ", ")) differ outside axis \(a)") }
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        try AllocationLimit.check(outShape, "concat")
        let out = Tensor.uninitialized(outShape)
        let st = Strided.contiguousStrides(outShape)
        var at = 0
        var ranges: [[SliceRange]] = []
        for t in tensors {
            var r = outShape.map { SliceRange(0, $0) }
            r[a] = SliceRange(at, at + t.shape[a])
            Strided.scatter(t.pointer, shape: t.shape, into: out.pointer, offset: at * st[a], strides: st, accumulate: false)
            ranges.append(r)
            at += t.shape[a]
        }
        return out.recorded("concat", tensors) { g, c in
            try ranges.indices.map { c.needs($0) ? try g.slice(ranges[$0]) : nil }
        }
    }

    /// Pieces of the given sizes along `axis`.
    public func split(_ sizes: [Int], axis: Int) throws -> [Tensor] {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else { throw TensorError("split: axis \(axis) out of range for \(shapeString(shape))") }
        guard sizes.reduce(0, +) == shape[a], sizes.allSatisfy({ $0 >= 0 }) else {
            throw TensorError("split: sizes \(sizes) do not add up to \(shape[a]) (axis \(a) of \(shapeString(shape)))")
        }
        var at = 0
        return try sizes.map { n in
            defer { at += n }
            return try slice(axis: a, start: at, end: at + n)
        }
    }
}
