import Foundation

/// An n-dimensional Float32 array, contiguous and row-major (NCHW for images, as PyTorch),
/// with reverse-mode autograd. Tensors are reference types: autograd needs identity, and
/// reshape shares storage. Ops never mutate their inputs; optimizers update leaves in place.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let storage: Storage
    /// Set on leaves whose gradient is wanted (parameters, inputs of a gradient check).
    public var requiresGrad: Bool
    /// Accumulated gradient of a leaf after `backward()`; `zeroGrad()` clears it.
    public var grad: Tensor?
    /// The op that produced this tensor, when it was recorded for autograd.
    var node: Node?

    public init(shape: [Int], storage: Storage, requiresGrad: Bool = false) {
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor holding `scalars` in row-major order; throws when the count does not fit.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError("tensor: negative dimension in shape \(shapeString(shape))")
        }
        let n = shape.reduce(1, *)
        guard n == scalars.count else {
            throw TensorError("tensor: \(scalars.count) values do not fill shape \(shapeString(shape)) (\(n) elements)")
        }
        let s = Storage(uninitializedCount: n)
        scalars.withUnsafeBufferPointer { s.pointer.update(from: $0.baseAddress!, count: n) }
        self.init(shape: shape, storage: s, requiresGrad: requiresGrad)
    }

    /// A 0-dimensional tensor.
    public convenience init(_ value: Float) {
        self.init(shape: [], storage: Storage(repeating: value, count: 1))
    }

    /// A result tensor of `shape` whose memory the caller fills completely.
    public static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: Storage(uninitializedCount: shape.reduce(1, *)))
    }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }
    public var pointer: UnsafeMutablePointer<Float> { storage.pointer }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: storage.pointer, count: count) }

    /// A copy of the elements in row-major order (for tests and printing, not hot loops).
    public var scalars: [Float] { Array(buffer) }

    /// The single value of a one-element tensor.
    public func item() throws -> Float {
        guard count == 1 else { throw TensorError("item: tensor of shape \(shapeString(shape)) has \(count) elements, not 1") }
        return pointer[0]
    }

    /// Whether autograd records ops that use this tensor.
    public var isTracked: Bool { requiresGrad || node != nil }

    /// The same values, cut from the graph (shares storage).
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// A deep copy of the values, cut from the graph.
    public func copy() -> Tensor {
        let t = Tensor.uninitialized(shape)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    public func zeroGrad() { grad = nil }

    /// Overwrites the values in place (for optimizers and loading weights).
    public func assign(_ other: Tensor) throws {
        guard other.shape == shape else {
            throw TensorError("assign: shape \(shapeString(other.shape)) does not match \(shapeString(shape))")
        }
        pointer.update(from: other.pointer, count: count)
    }

    /// Name of the op that produced this tensor, or nil for a leaf.
    public var opName: String? { node?.op }
}

// MARK: - Creation

extension Tensor {
    static func checkShape(_ shape: [Int], _ op: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError("\(op): negative dimension in shape \(shapeString(shape))")
        }
    }

    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor(shape: shape, storage: Storage(repeating: value, count: shape.reduce(1, *)))
    }
    public static func zeros(like t: Tensor) -> Tensor { zeros(t.shape) }
    public static func ones(like t: Tensor) -> Tensor { ones(t.shape) }

    /// 0, 1, ... n−1 (or start..<end by step), as PyTorch's arange.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) throws -> Tensor {
        guard step != 0, (end - start) / step >= 0 || start == end else {
            throw TensorError("arange: step \(step) never reaches \(end) from \(start)")
        }
        let count = ((end - start) / step).rounded(.up)
        guard count < Float(1 << 62) else { throw TensorError("arange: \(start) to \(end) by \(step) is \(count) values, too many to hold") }
        let n = Int(count)
        try AllocationLimit.check([n], "arange")
        let t = uninitialized([Swift.max(n, 0)])
        for i in 0..<Swift.max(n, 0) { t.pointer[i] = start + Float(i) * step }
        return t
    }
    public static func arange(_ n: Int) -> Tensor {
        let t = uninitialized([n])
        for i in 0..<n { t.pointer[i] = Float(i) }
        return t
    }

    /// Uniform in [0, 1).
    public static func rand(_ shape: [Int], generator: RandomGenerator = .global) -> Tensor {
        let t = uninitialized(shape)
        generator.fillUniform(t.buffer)
        return t
    }
    /// Standard normal.
    public static func randn(_ shape: [Int], generator: RandomGenerator = .global) -> Tensor {
        let t = uninitialized(shape)
        generator.fillNormal(t.buffer)
        return t
    }

    /// Values in [low, high).
    public static func uniform(_ shape: [Int], low: Float, high: Float, generator: RandomGenerator = .global) -> Tensor {
        let t = rand(shape, generator: generator)
        let p = t.pointer
        for i in 0..<t.count { p[i] = low + (high - low) * p[i] }
        return t
    }

    /// Normal with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: RandomGenerator = .global) -> Tensor {
        let t = randn(shape, generator: generator)
        let p = t.pointer
        for i in 0..<t.count { p[i] = mean + std * p[i] }
        return t
    }
}
