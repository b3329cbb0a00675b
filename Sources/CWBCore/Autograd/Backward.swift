/// Reverse-mode differentiation over the recorded graph.
extension Tensor {
    /// Accumulates d(self)/d(leaf) into `leaf.grad` for every leaf that requires grad
    /// (PyTorch's `backward`). `self` must hold one element unless `gradient` is given.
    public func backward(_ gradient: Tensor? = nil) throws {
        let seed = try Tensor.seedGradient(for: self, gradient)
        let grads = try Tensor.propagate(from: self, seed: seed, createGraph: false, targets: nil)
        for (leaf, g) in grads.leaves {
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

    /// What a backward pass delivers: the gradient reaching each leaf that requires grad,
    /// and the gradient reaching each wanted tensor by its `gradientKey`.
    struct Reached {
        var leaves: [(Tensor, Tensor)] = []
        var byKey: [ObjectIdentifier: Tensor] = [:]
    }

    /// Runs the backward rules from `root` in reverse topological order. Without `targets`
    /// (`backward`) the wanted tensors are the leaves that require grad; with them (`grad`),
    /// the tensors whose `gradientKey` is listed. Only paths that lead to a wanted tensor are
    /// followed.
    static func propagate(from root: Tensor, seed: Tensor, createGraph: Bool,
                          targets: Set<ObjectIdentifier>?) throws -> Reached {
        func wantedLeaf(_ t: Tensor) -> Bool { targets?.contains(ObjectIdentifier(t)) ?? t.requiresGrad }
        var reached = Reached()
        guard let rootNode = root.node else {
            if wantedLeaf(root) { reached.leaves.append((root, seed)); reached.byKey[ObjectIdentifier(root)] = seed }
            return reached
        }
        let order = topologicalOrder(from: rootNode)
        // A node is worth running if it is a target or an input leads to a wanted tensor.
        var useful = Set<ObjectIdentifier>()
        func leadsToWanted(_ e: Edge) -> Bool {
            switch e {
            case .node(let n): useful.contains(ObjectIdentifier(n))
            case .leaf(let t): wantedLeaf(t)
            case .constant: false
            }
        }
        for n in order.reversed() {
            let id = ObjectIdentifier(n)
            if targets?.contains(id) ?? false || n.edges.contains(where: leadsToWanted) { useful.insert(id) }
        }
        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(rootNode): seed]
        var leafGradients: [ObjectIdentifier: (Tensor, Tensor)] = [:]
        try withGradMode(createGraph) {
            for n in order {
                let id = ObjectIdentifier(n)
                guard let g = gradients.removeValue(forKey: id) else { continue }
                if targets?.contains(id) ?? false { reached.byKey[id] = g }
                let needed = n.edges.map(leadsToWanted)
                guard needed.contains(true) else { continue }
                let inputGrads = try n.backward(g, BackwardContext(createGraph: createGraph, needed: needed))
                for (i, (edge, ig)) in zip(n.edges, inputGrads).enumerated() {
                    guard let ig, needed[i] else { continue }
                    switch edge {
                    case .node(let input):
                        let key = ObjectIdentifier(input)
                        gradients[key] = try gradients[key].map { try $0 + ig } ?? ig
                    case .leaf(let leaf):
                        let key = ObjectIdentifier(leaf)
                        leafGradients[key] = (leaf, try leafGradients[key].map { try $0.1 + ig } ?? ig)
                    case .constant:
                        break
                    }
                }
            }
        }
        for (key, (leaf, g)) in leafGradients {
            reached.leaves.append((leaf, g))
            reached.byKey[key] = g
        }
        return reached
    }

    /// The nodes reachable from `root`, each after every node that uses its output.
    /// Iterative, so deep graphs (long training unrolls) do not blow the stack.
    static func topologicalOrder(from root: Node) -> [Node] {
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var postOrder: [Node] = []
        var stack: [(Node, Int)] = [(root, 0)]
        while let (n, next) = stack.popLast() {
            if next < n.edges.count {
                stack.append((n, next + 1))
                if case .node(let child) = n.edges[next], visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                postOrder.append(n)
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
    let targets = Set(inputs.map(\.gradientKey))
    let reached = try Tensor.propagate(from: output, seed: seed, createGraph: createGraph, targets: targets)
    return inputs.map { reached.byKey[$0.gradientKey] ?? Tensor.zeros($0.shape) }
}
