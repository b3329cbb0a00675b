import CWBCore

/// A layer or a model: a reference type that owns named parameters, buffers and child
/// modules, so that `stateDict()` keys are exactly PyTorch's for the same architecture.
///
/// Subclasses register what they own in their initialiser (`parameter`, `buffer`, `child`)
/// and override `forward`. Call a module as a function: `let y = try model(x)`.
open class Module {
    /// Training mode (dropout active, batch statistics) or evaluation mode.
    public private(set) var isTraining = true
    private var ownParameters: [(name: String, tensor: Tensor)] = []
    private var ownBuffers: [(name: String, tensor: Tensor, dtype: DType)] = []
    private var ownChildren: [(name: String, module: Module)] = []

    public init() {}

    /// The name printed in summaries (PyTorch's class name where there is one).
    open var typeName: String { String(describing: type(of: self)) }
    /// A short description of the configuration, e.g. "1→64, 5×5, stride 2".
    open var details: String { "" }

    open func forward(_ x: Tensor) throws -> Tensor {
        throw TensorError("\(typeName): forward is not implemented")
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try forward(x)
        SummaryRecorder.current?.record(self, y)
        return y
    }

    // MARK: Registration (in subclass initialisers)

    /// Registers a trainable tensor under `name` and returns it (marked `requiresGrad`).
    @discardableResult
    public func parameter(_ name: String, _ tensor: Tensor) -> Tensor {
        tensor.requiresGrad = true
        ownParameters.append((name, tensor))
        return tensor
    }

    /// Registers a state tensor that is saved but not trained (running statistics).
    @discardableResult
    public func buffer(_ name: String, _ tensor: Tensor, dtype: DType = .f32) -> Tensor {
        ownBuffers.append((name, tensor, dtype))
        return tensor
    }

    /// Registers a child module under `name` (its keys become `name.…`).
    @discardableResult
    public func child<M: Module>(_ name: String, _ module: M) -> M {
        ownChildren.append((name, module))
        return module
    }

    // MARK: Traversal

    public var children: [(name: String, module: Module)] { ownChildren }

    /// This module and every descendant with its dotted path ("" for self).
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var out: [(String, Module)] = [(prefix, self)]
        for (n, m) in ownChildren { out += m.namedModules(prefix: join(prefix, n)) }
        return out
    }

    public func namedParameters(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var out = ownParameters.map { (join(prefix, $0.name), $0.tensor) }
        for (n, m) in ownChildren { out += m.namedParameters(prefix: join(prefix, n)) }
        return out
    }

    public func namedBuffers(prefix: String = "") -> [(name: String, tensor: Tensor, dtype: DType)] {
        var out = ownBuffers.map { (join(prefix, $0.name), $0.tensor, $0.dtype) }
        for (n, m) in ownChildren { out += m.namedBuffers(prefix: join(prefix, n)) }
        return out
    }

    public var parameters: [Tensor] { namedParameters().map(\.tensor) }
    /// Number of trainable scalars.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.tensor.count } }

    // MARK: Mode

    /// Sets training mode here and in every descendant.
    public func train(_ on: Bool = true) {
        isTraining = on
        for (_, m) in ownChildren { m.train(on) }
    }
    /// Evaluation mode here and in every descendant.
    public func eval() { train(false) }

    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Stops (or restarts) gradients to every parameter here and below, e.g. to fine-tune
    /// only a decoder. Optimizers skip parameters that get no gradient.
    public func freeze(_ frozen: Bool = true) { for p in parameters { p.requiresGrad = !frozen } }
    public func unfreeze() { freeze(false) }

    // MARK: State

    /// Parameters and buffers in PyTorch's order: per module, its parameters then its
    /// buffers, then its children in registration order.
    public func stateDict() -> StateDict {
        var sd = StateDict()
        collect(into: &sd, prefix: "")
        return sd
    }

    private func collect(into sd: inout StateDict, prefix: String) {
        for (n, t) in ownParameters { sd.set(join(prefix, n), t) }
        for (n, t, d) in ownBuffers { sd.set(join(prefix, n), t, dtype: d) }
        for (n, m) in ownChildren { m.collect(into: &sd, prefix: join(prefix, n)) }
    }

    /// Copies values from `stateDict` into this module's tensors (in place, so optimizers
    /// keep working). Strict: missing keys, unexpected keys and shape mismatches are errors
    /// that list the keys; nothing is changed unless everything fits.
    public func load(stateDict: StateDict, strict: Bool = true) throws {
        let mine = self.stateDict()
        var problems: [String] = []
        let missing = mine.keys.filter { stateDict[$0] == nil }
        let unexpected = stateDict.keys.filter { mine[$0] == nil }
        if strict && !missing.isEmpty { problems.append("missing keys: " + list(missing)) }
        if strict && !unexpected.isEmpty { problems.append("unexpected keys: " + list(unexpected)) }
        for (k, t, _) in mine {
            if let s = stateDict[k], s.shape != t.shape {
                problems.append("\(k): file has shape \(shapeText(s.shape)), model expects \(shapeText(t.shape))")
            }
        }
        guard problems.isEmpty else {
            throw TensorError("load state_dict into \(typeName): " + problems.joined(separator: "; "))
        }
        for (k, t, _) in mine { if let s = stateDict[k] { try t.assign(s) } }
    }

    // MARK: Summary

    /// A table of the leaf layers run by `forward` on zeros of `inputShape`: path, type,
    /// output shape and parameters, then totals (like Keras' `summary()` or Flux's show).
    /// Runs in evaluation mode without gradients; the mode is restored afterwards.
    public func summary(inputShape: [Int]) throws -> String {
        let modes = namedModules().map { ($0.module, $0.module.isTraining) }
        defer { for (m, t) in modes { m.isTraining = t } }
        eval()
        let recorder = SummaryRecorder(paths: namedModules())
        let saved = SummaryRecorder.current
        SummaryRecorder.current = recorder
        defer { SummaryRecorder.current = saved }
        let y = try noGrad { try self(Tensor.zeros(inputShape)) }
        return recorder.table(title: typeName, input: inputShape, output: y.shape, total: parameterCount)
    }
}

extension Module: CustomStringConvertible {
    /// A nested listing like PyTorch's `print(model)`: `(name): Type(details)` per child.
    public var description: String { describe(indent: "") }

    private func describe(indent: String) -> String {
        let head = details.isEmpty ? typeName : "\(typeName)(\(details))"
        guard !children.isEmpty else { return head }
        var lines = [typeName + "("]
        for (n, m) in children { lines.append(indent + "  (\(n)): " + m.describe(indent: indent + "  ")) }
        lines.append(indent + ")")
        return lines.joined(separator: "\n")
    }
}

@inline(__always) func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

private func list(_ keys: [String]) -> String {
    keys.count <= 8 ? keys.joined(separator: ", ") : keys.prefix(8).joined(separator: ", ") + " … (\(keys.count) in all)"
}

/// Collects (path, layer, output shape) while a summary runs a forward pass.
final class SummaryRecorder {
    nonisolated(unsafe) static var current: SummaryRecorder?
    private let paths: [ObjectIdentifier: String]
    private var rows: [(String, String, String, Int)] = []

    init(paths: [(name: String, module: Module)]) {
        var p: [ObjectIdentifier: String] = [:]
        for (n, m) in paths { p[ObjectIdentifier(m)] = n }
        self.paths = p
    }

    func record(_ m: Module, _ y: Tensor) {
        guard m.children.isEmpty else { return }   // leaves only: composites repeat them
        let own = m.namedParameters().reduce(0) { $0 + $1.tensor.count }
        let name = paths[ObjectIdentifier(m)] ?? "?"
        let type = m.details.isEmpty ? m.typeName : "\(m.typeName)(\(m.details))"
        rows.append((name, type, shapeText(y.shape), own))
    }

    func table(title: String, input: [Int], output: [Int], total: Int) -> String {
        let header = ("layer", "type", "output shape", "params")
        let all = [(header.0, header.1, header.2, header.3)] + rows.map { ($0.0, $0.1, $0.2, grouped($0.3)) }
        let w0 = all.map(\.0.count).max() ?? 0, w1 = all.map(\.1.count).max() ?? 0
        let w2 = all.map(\.2.count).max() ?? 0, w3 = all.map(\.3.count).max() ?? 0
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: Swift.max(0, w - s.count)) }
        func lpad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: Swift.max(0, w - s.count)) + s }
        let rule = String(repeating: "─", count: w0 + w1 + w2 + w3 + 6)
        var lines = ["\(title): input \(shapeText(input)) → output \(shapeText(output))", rule]
        for (i, r) in all.enumerated() {
            lines.append(pad(r.0, w0) + "  " + pad(r.1, w1) + "  " + pad(r.2, w2) + "  " + lpad(r.3, w3))
            if i == 0 { lines.append(rule) }
        }
        lines.append(rule)
        lines.append("total parameters: \(grouped(total))")
        return lines.joined(separator: "\n")
    }
}

/// 20564162 → "20 564 162".
func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, ch) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(" ") }
        out.append(ch)
    }
    return out
}
