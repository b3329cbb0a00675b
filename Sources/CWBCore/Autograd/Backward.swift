/// Reverse-mode differentiation over the recorded graph.
extension Tensor {
    /// Accumulates d(self)/d(leaf) into `leaf.grad` for every leaf that requires grad
    /// (PyTorch's `backward`). `self` must hold one element unless `gradient` is given.
    public func backward(_ gradient: Tensor? = nil) throws {
        let seed = try Tensor.seedGradient(for: self, gradient)
        let grads = try Tensor.propagate(from: self, seed: seed, createGraph: false, stopAt: nil)
        for (leaf, g) in grads where leaf.node == nil && leaf.requiresGrad {
            leaf.grad = try leaf.grad.map { try $0 + g } ?? g.detached()
        }
    }

    static func seedGradient(for output: Tensor, _ gradient: Tensor?) throws -> Tensor {
        if let gradient {
            guard gradient.shape == output.shape else {
                throw TensorError("backward: gradient shape \(shapeString(gradient.shape)) does not match output \(shapeString(output.shape))")
            }
            return gradient
        }
        guard output.count == 1 else {
            throw TensorError("backward: output of shape \(shapeString(output.shape)) is not a scalar; pass a gradient")
        }
        return Tensor.ones(output.shape)
    }

    /// Runs the backward rules from `root` in reverse topological order and returns the
    /// gradient reaching every leaf (for `backward`) or every tensor named in `targets`
    /// (for `grad`). Only paths that lead to a wanted tensor are followed.
    static func propagate(from root: Tensor, seed: Tensor, createGraph: Bool,
                          stopAt targets: Set<ObjectIdentifier>?) throws -> [(Tensor, Tensor)] {
        let order = topologicalOrder(from: root)
        // A tensor is wanted if it is a target (or, for backward, a leaf that requires grad);
        // a node is worth running if any input leads to a wanted tensor.
        var leadsToWanted = Set<ObjectIdentifier>()
        for t in order.reversed() {
            let id = ObjectIdentifier(t)
            let wanted = targets.map { $0.contains(id) } ?? (t.node == nil && t.requiresGrad)
            if wanted || (t.node?.inputs.contains { leadsToWanted.contains(ObjectIdentifier($0)) } ?? false) {
                leadsToWanted.insert(id)
            }
        }
        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        var reached: [(Tensor, Tensor)] = []
        try withGradMode(createGraph) {
            for t in order {
                let id = ObjectIdentifier(t)
                guard let g = gradients.removeValue(forKey: id) else { continue }
                if targets?.contains(id) ?? (t.node == nil) { reached.append((t, g)) }
                guard let node = t.node else { continue }
                let needed = node.inputs.map { leadsToWanted.contains(ObjectIdentifier($0)) }
                let context = BackwardContext(createGraph: createGraph, needed: needed)
                let inputGrads = try node.backward(g, t, context)
                for (input, ig) in zip(node.inputs, inputGrads) {
                    guard let ig, leadsToWanted.contains(ObjectIdentifier(input)) else { continue }
                    let key = ObjectIdentifier(input)
                    gradients[key] = try gradients[key].map { try $0 + ig } ?? ig
                }
            }
        }
        return reached
    }

    /// Tensors reachable from `root` through recorded nodes, each after every tensor that
    /// uses it. Iterative, so deep graphs (long training unrolls) do not blow the stack.
    static func topologicalOrder(from root: Tensor) -> [Tensor] {
        var visited = Set<ObjectIdentifier>()
        var postOrder: [Tensor] = []
        var stack: [(Tensor, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (t, next) = stack.popLast() {
            let inputs = t.node?.inputs ?? []
            if next < inputs.count {
                stack.append((t, next + 1))
                let child = inputs[next]
                if child.isTracked && visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                postOrder.append(t)
            }
        }
        return postOrder.reversed()
    }
}

/// The gradients of `output` with respect to `inputs` (PyTorch's `torch.autograd.grad`).
/// With `createGraph` the backward pass is itself recorded, so the result can be
/// differentiated again (the WGAN-GP gradient penalty needs this). Inputs that `output` does
/// not depend on get zeros.
public func grad(of output: Tensor, wrt inputs: [Tensor], gradient: Tensor? = nil,
                 createGraph: Bool = false) throws -> [Tensor] {
    let seed = try Tensor.seedGradient(for: output, gradient)
    let targets = Set(inputs.map(ObjectIdentifier.init))
    let reached = try Tensor.propagate(from: output, seed: seed, createGraph: createGraph, stopAt: targets)
    var byId: [ObjectIdentifier: Tensor] = [:]
    for (t, g) in reached where targets.contains(ObjectIdentifier(t)) { byId[ObjectIdentifier(t)] = g }
    return inputs.map { byId[ObjectIdentifier($0)] ?? Tensor.zeros($0.shape) }
}
