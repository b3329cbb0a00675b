/// How a recorded op sends gradient back to its inputs. Rules are written with differentiable
/// tensor ops, so when the backward pass itself is recorded (`createGraph`) its result can be
/// differentiated again. A rule captures only the tensors it needs (PyTorch's "saved
/// tensors"): the graph itself holds no activations, so an intermediate no rule needs is freed
/// as soon as the forward pass is done with it.
public typealias BackwardRule = (_ gradOutput: Tensor, _ context: BackwardContext) throws -> [Tensor?]

/// A rule that also reads the op's own output (exp, tanh, sigmoid, sqrt, …). The node keeps
/// the output's storage for it and passes the output in (capturing it would make a cycle).
public typealias BackwardRuleUsingOutput = (_ gradOutput: Tensor, _ output: Tensor, _ context: BackwardContext) throws -> [Tensor?]

/// What a backward rule may skip: inputs whose gradient nobody wants get `nil`, and when no
/// graph is being created a rule may use a fused kernel instead of differentiable ops.
public struct BackwardContext {
    public let createGraph: Bool
    let needed: [Bool]
    /// Whether the gradient of input `i` is wanted.
    public func needs(_ i: Int) -> Bool { needed[i] }
}

/// One input of a recorded op as the backward pass sees it: the node that produced it, the
/// leaf itself when it wants a gradient, or nothing for a constant. Never the input tensor
/// itself, so an edge keeps no activation alive.
enum Edge {
    case node(Node)
    case leaf(Tensor)
    case constant

    init(_ t: Tensor) {
        if let n = t.node { self = .node(n) } else if t.requiresGrad { self = .leaf(t) } else { self = .constant }
    }

    /// The identity gradients are collected under: the producing node, or the leaf.
    var key: ObjectIdentifier? {
        switch self {
        case .node(let n): ObjectIdentifier(n)
        case .leaf(let t): ObjectIdentifier(t)
        case .constant: nil
        }
    }
}

final class Node {
    typealias Rule = (_ gradOutput: Tensor, _ node: Node, _ context: BackwardContext) throws -> [Tensor?]

    let op: String
    private(set) var edges: [Edge]
    private(set) var rule: Rule
    let outputShape: [Int]
    /// The output's storage, kept only for rules that read their output.
    private var savedOutput: Storage?

    init(op: String, inputs: [Tensor], output: Tensor, keepsOutput: Bool, rule: @escaping Rule) {
        self.op = op
        self.edges = inputs.map(Edge.init)
        self.rule = rule
        self.outputShape = output.shape
        self.savedOutput = keepsOutput ? output.storage : nil
    }

    /// The op's output, rebuilt around the kept storage and attached to this node, so a
    /// recorded backward pass (createGraph) differentiates through it.
    func output() -> Tensor {
        guard let savedOutput else { preconditionFailure("\(op): its backward rule did not ask to keep the output") }
        let t = Tensor(shape: outputShape, storage: savedOutput)
        t.node = self
        return t
    }

    func backward(_ gradOutput: Tensor, _ context: BackwardContext) throws -> [Tensor?] {
        try rule(gradOutput, self, context)
    }

    private static let released: Rule = { _, _, _ in [] }

    /// Takes this node's input nodes and drops its rule and everything the rule captured.
    private func release() -> [Node] {
        let inputs = edges.compactMap { edge -> Node? in if case .node(let n) = edge { n } else { nil } }
        edges = []
        rule = Node.released
        savedOutput = nil
        return inputs
    }

    /// Frees the graph below this node iteratively: a long chain of ops (a training unroll)
    /// would otherwise be freed by nested deinits and overflow the stack. The nodes about to
    /// be released are held in `pending`, so dropping a rule's captured tensors never frees
    /// a node recursively.
    deinit {
        var pending = release()
        while var n = pending.popLast() {
            guard isKnownUniquelyReferenced(&n) else { continue }
            pending.append(contentsOf: n.release())
        }
    }
}

/// Whether ops record themselves for autograd. Off inside `noGrad {}` and during a backward
/// pass that does not create a graph. One flag per process: autograd runs on one thread
/// (kernels may fan out to cores, but they record nothing).
public enum GradMode {
    public nonisolated(unsafe) static var isEnabled = true
}

/// Runs `body` without recording ops (evaluation, optimizer updates).
@discardableResult
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    let saved = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = saved }
    return try body()
}

/// Runs `body` with recording on or off.
@discardableResult
public func withGradMode<T>(_ enabled: Bool, _ body: () throws -> T) rethrows -> T {
    let saved = GradMode.isEnabled
    GradMode.isEnabled = enabled
    defer { GradMode.isEnabled = saved }
    return try body()
}

extension Tensor {
    /// Attaches a node to `result` when grad mode is on and an input is tracked.
    /// Every differentiable op ends with this call (or `recordedUsingOutput`).
    @discardableResult
    func recorded(_ op: String, _ inputs: [Tensor], _ backward: @escaping BackwardRule) -> Tensor {
        record(op, inputs, keepsOutput: false) { g, _, context in try backward(g, context) }
    }

    /// As `recorded`, for a rule that reads the op's output.
    @discardableResult
    func recordedUsingOutput(_ op: String, _ inputs: [Tensor], _ backward: @escaping BackwardRuleUsingOutput) -> Tensor {
        record(op, inputs, keepsOutput: true) { g, node, context in try backward(g, node.output(), context) }
    }

    private func record(_ op: String, _ inputs: [Tensor], keepsOutput: Bool, _ rule: @escaping Node.Rule) -> Tensor {
        if GradMode.isEnabled && inputs.contains(where: { $0.isTracked }) {
            node = Node(op: op, inputs: inputs, output: self, keepsOutput: keepsOutput, rule: rule)
        }
        return self
    }

    /// The identity this tensor's gradient is collected under during a backward pass.
    var gradientKey: ObjectIdentifier { node.map(ObjectIdentifier.init) ?? ObjectIdentifier(self) }
}
