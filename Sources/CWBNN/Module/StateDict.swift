import CWBCore

/// Element types of stored tensors (safetensors names). In memory every tensor is Float32;
/// the dtype says how a value is stored in a file (e.g. `num_batches_tracked` is I64 as in PyTorch).
public enum DType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64", i64 = "I64", i32 = "I32"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f16, .bf16: return 2
        case .f32, .i32: return 4
        case .f64, .i64: return 8
        }
    }
}

/// Named tensors in a fixed order, keyed like PyTorch's `state_dict()`
/// (`down.0.0.weight`, `down.1.1.running_mean`, …), each with the dtype it is stored as.
public struct StateDict: Sequence {
    public private(set) var keys: [String] = []
    private var tensors: [String: Tensor] = [:]
    private var dtypes: [String: DType] = [:]

    public init() {}

    public var count: Int { keys.count }
    public subscript(key: String) -> Tensor? { tensors[key] }
    public func dtype(_ key: String) -> DType? { dtypes[key] }

    /// Adds or replaces `key` (a replaced key keeps its position).
    public mutating func set(_ key: String, _ tensor: Tensor, dtype: DType = .f32) {
        if tensors[key] == nil { keys.append(key) }
        tensors[key] = tensor
        dtypes[key] = dtype
    }

    public mutating func remove(_ key: String) {
        guard tensors.removeValue(forKey: key) != nil else { return }
        dtypes[key] = nil
        keys.removeAll { $0 == key }
    }

    /// Every key with `prefix + "."` in front (to put several models in one checkpoint).
    public func prefixed(_ prefix: String) -> StateDict {
        var out = StateDict()
        for k in keys { out.set(prefix + "." + k, tensors[k]!, dtype: dtypes[k]!) }
        return out
    }

    /// The entries under `prefix + "."`, with the prefix removed.
    public func section(_ prefix: String) -> StateDict {
        var out = StateDict()
        let p = prefix + "."
        for k in keys where k.hasPrefix(p) { out.set(String(k.dropFirst(p.count)), tensors[k]!, dtype: dtypes[k]!) }
        return out
    }

    /// This dictionary followed by `other`'s entries.
    public func merging(_ other: StateDict) -> StateDict {
        var out = self
        for (k, t, d) in other { out.set(k, t, dtype: d) }
        return out
    }

    public func makeIterator() -> AnyIterator<(key: String, tensor: Tensor, dtype: DType)> {
        var i = 0
        return AnyIterator {
            guard i < keys.count else { return nil }
            let k = keys[i]; i += 1
            return (k, tensors[k]!, dtypes[k]!)
        }
    }
}

func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
