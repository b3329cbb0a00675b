/// How a recorded op sends gradient back to its inputs. Rules are written with differentiable
/// tensor ops, so when the backward pass itself is recorded (`createGraph`) its result can be
/// differentiated again. `output` is passed in (not captured) so nodes hold no cycles.
public typealias BackwardRule = (_ gradOutput: Tensor, _ output: Tensor, _ context: BackwardContext) throws -> [Tensor?]

/// What a backward rule may skip: inputs whose gradient nobody wants get `nil`, and when no
/// graph is being created a rule may use a fused kernel instead of differentiable ops.
public struct BackwardContext {
    public let createGraph: Bool
    let needed: [Bool]
    /// Whether the gradient of input `i` is wanted.
    public func needs(_ i: Int) -> Bool { needed[i] }
}

final class Node {
    let op: String
    private(set) var inputs: [Tensor]
    private(set) var backward: BackwardRule

    init(op: String, inputs: [Tensor], backward: @escaping BackwardRule) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }

    private static let released: BackwardRule = { _, _, _ in [] }

    /// Frees the graph below this node iteratively: a long chain of ops (a training unroll)
    /// would otherwise be freed by nested deinits and overflow the stack.
    deinit {
        guard !inputs.isEmpty else { return }
        var pending = inputs
        inputs = []
        backward = Node.released   // drops tensors the rule captured, which `pending` holds too
        while var t = pending.popLast() {
            guard isKnownUniquelyReferenced(&t), let n = t.node else { continue }
            pending.append(contentsOf: n.inputs)
            n.inputs = []
            n.backward = Node.released
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
    /// Every differentiable op ends with this call.
    @discardableResult
    func recorded(_ op: String, _ inputs: [Tensor], _ backward: @escaping BackwardRule) -> Tensor {
        if GradMode.isEnabled && inputs.contains(where: { $0.isTracked }) {
            node = Node(op: op, inputs: inputs, backward: backward)
        }
        return self
    }
}
