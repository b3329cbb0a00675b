import CWBCore
import Foundation

/// Tensor creation, ops, autograd and the network functions of CWBCore.
extension Arguments {
    /// Dimensions given as `zeros(2, 3)`, `zeros([2, 3])` or `zeros(shape)`.
    func shape() throws -> [Int] {
        var dims: [Int] = []
        let values = (value("shape").map { [$0] } ?? []) + rest
        for v in values {
            if let i = v.asInt { dims.append(i) } else if let xs = v.asIntList { dims += xs } else {
                throw fail("shape", expects: "integer dimensions", got: v)
            }
        }
        guard dims.allSatisfy({ $0 >= 0 }) else {
            throw ScriptError(.value, "\(function): dimensions must not be negative, got \(TensorFormat.shapeText(dims))", at: location)
        }
        do { try AllocationLimit.check(dims, function) } catch { throw ScriptError.wrap(error, at: location) }
        return dims
    }

    /// `axis:` as an integer or a list; nil reduces everything.
    func axes(_ name: String = "axis") throws -> [Int]? {
        guard has(name) else { return nil }
        let v = value(name)!
        if let i = v.asInt { return [i] }
        if let xs = v.asIntList { return xs }
        throw fail(name, expects: "an integer or a list of integers", got: v)
    }

    func withGrad(_ t: Tensor) throws -> Tensor {
        if try bool("requires_grad", default: false) { t.requiresGrad = true }
        return t
    }
}

/// The Double that prints like the Float (0.43026352, not 0.4302635192871094): values that
/// come out of tensors are Float32, and their binary noise is not information.
func shortestDouble(_ f: Float) -> Double { Double("\(f)") ?? Double(f) }

func registerTensorBuiltins(_ r: BuiltinRegistry) {
    let d = "tensor"
    let T: Set<String> = ["tensor"]
    func t(_ v: Tensor) -> Value { .tensor(v) }

    // MARK: creation
    r.register("tensor(data, requires_grad: false)", domain: d, summary: "A tensor from a number or a (nested) list of numbers.",
               example: "tensor([[1, 2], [3, 4]])") { a, _ in
        let v = try a.required("data")
        guard let x = try v.asTensor() else { throw a.fail("data", expects: "a number or a list of numbers", got: v) }
        let copy = x.copy()
        return t(try a.withGrad(copy))
    }
    for (name, fill, summary) in [("zeros", Float(0), "zeros"), ("ones", Float(1), "ones")] {
        r.register("\(name)(shape...: dims, requires_grad: false)", domain: d, summary: "A tensor of \(summary) of the given shape.",
                   example: "\(name)(2, 3)") { a, _ in t(try a.withGrad(Tensor.full(try a.shape(), fill))) }
    }
    r.register("full(shape, value, requires_grad: false)", domain: d, summary: "A tensor of the given shape filled with value.",
               example: "full([2, 2], 0.5)") { a, _ in
        t(try a.withGrad(Tensor.full(try a.shape(), Float(try a.number("value")))))
    }
    r.register("rand(shape...: dims, requires_grad: false)", domain: d, summary: "Uniform random values in [0, 1) (seeded by seed(n)).",
               example: "rand(2, 3)") { a, _ in t(try a.withGrad(Tensor.rand(try a.shape()))) }
    r.register("randn(shape...: dims, requires_grad: false)", domain: d, summary: "Standard normal random values (seeded by seed(n)).",
               example: "x = randn(2, 3)") { a, _ in t(try a.withGrad(Tensor.randn(try a.shape()))) }
    r.register("arange(start, end: nil, step: 1)", domain: d, summary: "A 1-D tensor start, start+step, … below end; with one argument 0..<start.",
               example: "arange(5)  # 0 1 2 3 4") { a, _ in
        var start = try a.number("start"), end: Double
        if a.has("end") { end = try a.number("end") } else { end = start; start = 0 }
        return t(try Tensor.arange(Float(start), Float(end), step: Float(try a.number("step", default: 1))))
    }
    r.register("linspace(start, end, count)", domain: d, summary: "count evenly spaced values from start to end inclusive.",
               example: "linspace(0, 1, 5)") { a, _ in
        let lo = try a.number("start"), hi = try a.number("end"), n = try a.int("count")
        guard n >= 1 else { throw ScriptError(.value, "linspace: count must be at least 1, got \(n)") }
        try AllocationLimit.check([n], "linspace")
        let values = (0..<n).map { Float(n == 1 ? lo : lo + (hi - lo) * Double($0) / Double(n - 1)) }
        return t(try Tensor(shape: [n], scalars: values))
    }
    r.register("eye(n)", domain: d, summary: "The n×n identity matrix.", example: "eye(3)") { a, _ in
        let n = try a.int("n")
        guard n >= 0, n <= 1 << 14 else { throw ScriptError(.value, "eye: n must be between 0 and 16384, got \(n)") }
        let m = Tensor.zeros([n, n])
        for i in 0..<n { m.pointer[i * n + i] = 1 }
        return t(m)
    }
    r.register("zeros_like(x)", domain: d, summary: "Zeros of x's shape.", example: "zeros_like(x)", methodOf: T) { a, _ in t(Tensor.zeros(try a.tensor("x").shape)) }
    r.register("ones_like(x)", domain: d, summary: "Ones of x's shape.", example: "ones_like(x)", methodOf: T) { a, _ in t(Tensor.ones(try a.tensor("x").shape)) }

    // MARK: shape
    r.register("reshape(x, shape...: dims)", domain: d, summary: "The same values in a new shape (one dimension may be -1).",
               example: "x.reshape(3, -1)", methodOf: T) { a, _ in
        var dims: [Int] = []
        for v in a.rest { if let i = v.asInt { dims.append(i) } else if let xs = v.asIntList { dims += xs } else { throw a.fail("shape", expects: "integer dimensions", got: v) } }
        return t(try a.tensor("x").reshape(dims))
    }
    r.register("flatten(x, from: 1)", domain: d, summary: "Merges the dimensions from `from` on into one.", example: "x.flatten()", methodOf: T) { a, _ in
        t(try a.tensor("x").flatten(from: try a.int("from", default: 1)))
    }
    r.register("squeeze(x, axis)", domain: d, summary: "Removes dimension axis (of size 1).", example: "x.squeeze(0)", methodOf: T) { a, _ in
        t(try a.tensor("x").squeeze(try a.int("axis")))
    }
    r.register("unsqueeze(x, axis)", domain: d, summary: "Inserts a dimension of size 1 at axis.", example: "x.unsqueeze(0)", methodOf: T) { a, _ in
        t(try a.tensor("x").unsqueeze(try a.int("axis")))
    }
    r.register("permute(x, dims...: order)", domain: d, summary: "Reorders the dimensions.", example: "img.permute(0, 2, 3, 1)", methodOf: T) { a, _ in
        var dims: [Int] = []
        for v in a.rest { if let i = v.asInt { dims.append(i) } else if let xs = v.asIntList { dims += xs } else { throw a.fail("dims", expects: "integers", got: v) } }
        return t(try a.tensor("x").permute(dims))
    }
    r.register("transpose(x, a: 0, b: 1)", domain: d, summary: "Swaps two dimensions (x.T swaps the last two).", example: "transpose(x, 0, 1)", methodOf: T) { a, _ in
        t(try a.tensor("x").transpose(try a.int("a", default: 0), try a.int("b", default: 1)))
    }
    r.register("expand(x, shape...: dims)", domain: d, summary: "Broadcasts size-1 dimensions to the given shape.", example: "ones(1, 3).expand(2, 3)", methodOf: T) { a, _ in
        var dims: [Int] = []
        for v in a.rest { if let i = v.asInt { dims.append(i) } else if let xs = v.asIntList { dims += xs } else { throw a.fail("shape", expects: "integers", got: v) } }
        return t(try a.tensor("x").expand(dims))
    }
    r.register("cat(tensors, axis: 0)", domain: d, summary: "Joins a list of tensors along axis.", example: "cat([x, y], axis: 1)") { a, _ in
        let items = try a.list("tensors")
        let ts: [Tensor] = try items.enumerated().map { i, v in
            guard let x = try v.asTensor() else { throw ScriptError(.argument, "cat: item \(i) of 'tensors' expects a tensor, got \(v.typeName)") }
            return x
        }
        guard !ts.isEmpty else { throw ScriptError(.value, "cat: the list of tensors is empty") }
        return t(try Tensor.concat(ts, axis: try a.int("axis", default: 0)))
    }
    r.register("tensor_split(x, sizes, axis: 0)", domain: d, summary: "Splits x along axis into pieces of the given sizes.",
               example: "a, b = tensor_split(x, [1, 2], axis: 1)", methodOf: T) { a, _ in
        .list(try a.tensor("x").split(try a.intList("sizes"), axis: try a.int("axis", default: 0)).map { .tensor($0) })
    }
    r.register("pad(x, padding)", domain: d, summary: "Zero padding: a list of [before, after] per dimension.",
               example: "pad(x, [[0, 0], [1, 1]])", methodOf: T) { a, _ in
        let items = try a.list("padding")
        let pads: [(Int, Int)] = try items.map { v in
            guard let p = v.asIntList, p.count == 2 else { throw a.fail("padding", expects: "a list of [before, after] pairs", got: v) }
            return (p[0], p[1])
        }
        return t(try a.tensor("x").pad(pads))
    }

    // MARK: reductions (numbers and lists too)
    func numbers(_ a: Arguments, _ name: String) throws -> [Double]? {
        let v = try a.required(name)
        if case .tensor = v { return nil }
        if let x = v.asNumber { return [x] }
        guard let items = v.asList else { return nil }
        return try items.map { item in
            guard let x = item.asNumber else { throw ScriptError(.argument, "\(a.function): the list holds a \(item.typeName), not only numbers") }
            return x
        }
    }
    r.register("sum(x, axis: nil, keepdim: false)", domain: d, summary: "Sum of a tensor's elements (along axis), or of a list of numbers.",
               example: "x.sum(axis: 1)", methodOf: T) { a, _ in
        if let xs = try numbers(a, "x") { return .number(xs.reduce(0, +)) }
        let x = try a.tensor("x")
        guard let axes = try a.axes() else { return t(x.sum()) }
        return t(try x.sum(axes: axes, keepDims: try a.bool("keepdim", default: false)))
    }
    r.register("mean(x, axis: nil, keepdim: false)", domain: d, summary: "Mean of a tensor's elements (along axis), or of a list of numbers.",
               example: "x.mean()", methodOf: T) { a, _ in
        if let xs = try numbers(a, "x") {
            guard !xs.isEmpty else { throw ScriptError(.value, "mean: the list is empty") }
            return .number(xs.reduce(0, +) / Double(xs.count))
        }
        let x = try a.tensor("x")
        guard let axes = try a.axes() else { return t(x.mean()) }
        return t(try x.mean(axes: axes, keepDims: try a.bool("keepdim", default: false)))
    }
    for (name, isMax) in [("max", true), ("min", false)] {
        r.register("\(name)(x, values..., axis: nil, keepdim: false)", domain: d,
                   summary: "The \(isMax ? "largest" : "smallest") element of a tensor (along axis), of a list, or of several numbers.",
                   example: "\(name)(3, 7)  # or x.\(name)(axis: 0)", methodOf: T) { a, _ in
            let listed = try numbers(a, "x")
            if !a.rest.isEmpty || listed != nil {
                var xs = listed ?? []
                for v in a.rest { guard let n = v.asNumber else { throw a.fail("values", expects: "numbers", got: v) }; xs.append(n) }
                guard let m = isMax ? xs.max() : xs.min() else { throw ScriptError(.value, "\(name): no values") }
                return .number(m)
            }
            let x = try a.tensor("x")
            guard let axes = try a.axes() else { return t(isMax ? x.max() : x.min()) }
            let k = try a.bool("keepdim", default: false)
            return t(isMax ? try x.max(axes: axes, keepDims: k) : try x.min(axes: axes, keepDims: k))
        }
    }
    r.register("var(x, axis: nil, unbiased: true, keepdim: false)", domain: d, summary: "Variance (along axis).", example: "x.var(axis: 0)", methodOf: T) { a, _ in
        t(try a.tensor("x").variance(axes: try a.axes(), unbiased: try a.bool("unbiased", default: true), keepDims: try a.bool("keepdim", default: false)))
    }
    r.register("item(x)", domain: d, summary: "The number in a one-element tensor.", example: "x.sum().item()", methodOf: T) { a, _ in
        .number(shortestDouble(try a.tensor("x").item()))
    }
    r.register("tolist(x)", domain: d, summary: "A tensor's values as (nested) lists of numbers.", example: "arange(3).tolist()", methodOf: T) { a, _ in
        let x = try a.tensor("x")
        let s = x.scalars
        func build(_ dim: Int, _ offset: Int) -> Value {
            if dim == x.rank { return .number(shortestDouble(s[offset])) }
            let stride = x.shape[(dim + 1)...].reduce(1, *)
            return .list((0..<x.shape[dim]).map { build(dim + 1, offset + $0 * stride) })
        }
        return build(0, 0)
    }

    // MARK: elementwise (numbers too)
    let unaries: [(String, (Double) -> Double, (Tensor) -> Tensor, String)] = [
        ("exp", Foundation.exp, { $0.exp() }, "e to the power x"),
        ("log", Foundation.log, { $0.log() }, "natural logarithm"),
        ("sqrt", Foundation.sqrt, { $0.sqrt() }, "square root"),
        ("abs", Swift.abs, { $0.abs() }, "absolute value"),
        ("tanh", Foundation.tanh, { $0.tanh() }, "hyperbolic tangent"),
        ("sigmoid", { 1 / (1 + Foundation.exp(-$0)) }, { $0.sigmoid() }, "logistic sigmoid"),
        ("relu", { Swift.max($0, 0) }, { $0.relu() }, "max(x, 0)"),
    ]
    for (name, scalar, tensorOp, what) in unaries {
        r.register("\(name)(x)", domain: d, summary: "Elementwise \(what) of a tensor or a number.", example: "\(name)(x)", methodOf: T) { a, _ in
            let v = try a.required("x")
            if case let .number(x) = v { return .number(scalar(x)) }
            return t(tensorOp(try a.tensor("x")))
        }
    }
    r.register("leaky_relu(x, slope: 0.01)", domain: d, summary: "x where positive, slope·x elsewhere.", example: "leaky_relu(x, slope: 0.2)", methodOf: T) { a, _ in
        t(try a.tensor("x").leakyRelu(Float(try a.number("slope", default: 0.01))))
    }
    r.register("clamp(x, min: nil, max: nil)", domain: d, summary: "Limits the values to [min, max].", example: "x.clamp(min: 0, max: 1)", methodOf: T) { a, _ in
        t(try a.tensor("x").clamp(min: Float(try a.number("min", default: -.infinity)), max: Float(try a.number("max", default: .infinity))))
    }
    r.register("pow(x, p)", domain: d, summary: "x to the power p (also x ** p).", example: "pow(x, 2)", methodOf: T) { a, _ in
        if case let .number(x) = try a.required("x"), case let .number(p) = try a.required("p") { return .number(Foundation.pow(x, p)) }
        if case let .number(p) = try a.required("p") { return t(try a.tensor("x").pow(Float(p))) }
        return t(try a.tensor("x").pow(try a.tensor("p")))
    }
    r.register("matmul(a, b)", domain: d, summary: "Matrix product (also a @ b); batched over leading dimensions as the core allows.",
               example: "matmul(x, x.T)", methodOf: T) { a, _ in t(try a.tensor("a").matmul(try a.tensor("b"))) }
    r.register("where(cond, a, b)", domain: d, summary: "a where cond is non-zero, b elsewhere (broadcast).", example: "where(x > 0, x, 0)") { a, _ in
        t(try Tensor.where(try a.tensor("cond"), try a.tensor("a"), try a.tensor("b")))
    }

    // MARK: autograd
    r.register("requires_grad(x, flag: true)", domain: d, summary: "Marks a tensor as a leaf whose gradient is wanted; returns it.",
               example: "x = requires_grad(randn(3))", methodOf: T) { a, _ in
        let x = try a.tensor("x")
        x.requiresGrad = try a.bool("flag", default: true)
        return t(x)
    }
    r.register("grad(y, x, create_graph: false)", domain: d,
               summary: "dy/dx for a one-element y; x may be a tensor or a list of tensors (then a list comes back). create_graph makes the result differentiable again.",
               example: "x = randn(2, 3, requires_grad: true); dx = grad((x * x).sum(), x)") { a, _ in
        let y = try a.tensor("y")
        let xv = try a.required("x")
        let xs: [Tensor]
        if case let .tensor(x) = xv { xs = [x] } else if let items = xv.asList {
            xs = try items.map { guard case let .tensor(x) = $0 else { throw a.fail("x", expects: "a tensor or a list of tensors", got: $0) }; return x }
        } else { throw a.fail("x", expects: "a tensor or a list of tensors", got: xv) }
        let gs = try grad(of: y, wrt: xs, createGraph: try a.bool("create_graph", default: false))
        if case .tensor = xv { return t(gs[0]) }
        return .list(gs.map { .tensor($0) })
    }
    r.register("backward(y)", domain: d, summary: "Accumulates dy/dleaf into the .grad of every leaf that requires grad.",
               example: "loss.backward(); w.grad", methodOf: T) { a, _ in
        try a.tensor("y").backward()
        return .null
    }
    r.register("zero_grad(x)", domain: d, summary: "Clears a leaf's accumulated gradient.", example: "w.zero_grad()", methodOf: T) { a, _ in
        try a.tensor("x").zeroGrad()
        return .null
    }
    r.register("detach(x)", domain: d, summary: "The same values, cut from the autograd graph.", example: "y.detach()", methodOf: T) { a, _ in
        t(try a.tensor("x").detached())
    }
    r.register("copy(x)", domain: d, summary: "A copy of the values in new memory.", example: "x.copy()", methodOf: T) { a, _ in t(try a.tensor("x").copy()) }
    r.register("no_grad(f)", domain: d, summary: "Calls f() without recording for autograd (faster evaluation).",
               example: "y = no_grad(fn() { model(x) })") { a, interp in
        let f = try a.required("f")
        return try noGrad { try interp.call(f, Arguments(function: "no_grad", positional: [], location: a.location)) }
    }

    // MARK: network functions
    r.register("conv2d(x, w, bias: nil, stride: 1, padding: 0, dilation: 1)", domain: d,
               summary: "2-D convolution of x (N×C×H×W) with w (O×C×kh×kw); stride/padding/dilation are numbers or pairs.",
               example: "conv2d(randn(1, 3, 8, 8), randn(4, 3, 3, 3), padding: 1)") { a, _ in
        t(try conv2d(try a.tensor("x"), try a.tensor("w"), bias: try a.optionalTensor("bias"), stride: try a.pair("stride", default: (1, 1)),
                     padding: try a.pair("padding", default: (0, 0)), dilation: try a.pair("dilation", default: (1, 1))))
    }
    r.register("conv_transpose2d(x, w, bias: nil, stride: 1, padding: 0, output_padding: 0, dilation: 1)", domain: d,
               summary: "Transposed 2-D convolution; w is Cin×Cout×kh×kw as in PyTorch.",
               example: "conv_transpose2d(randn(1, 4, 4, 4), randn(4, 2, 4, 4), stride: 2, padding: 1)") { a, _ in
        t(try convTranspose2d(try a.tensor("x"), try a.tensor("w"), bias: try a.optionalTensor("bias"), stride: try a.pair("stride", default: (1, 1)),
                              padding: try a.pair("padding", default: (0, 0)), outputPadding: try a.pair("output_padding", default: (0, 0)),
                              dilation: try a.pair("dilation", default: (1, 1))))
    }
    r.register("max_pool2d(x, kernel, stride: nil, padding: 0)", domain: d, summary: "Max pooling (stride defaults to kernel).",
               example: "max_pool2d(x, 2)") { a, _ in
        t(try maxPool2d(try a.tensor("x"), kernel: try a.pair("kernel"), stride: a.has("stride") ? try a.pair("stride") : nil, padding: try a.pair("padding", default: (0, 0))))
    }
    r.register("avg_pool2d(x, kernel, stride: nil, padding: 0)", domain: d, summary: "Average pooling (stride defaults to kernel).",
               example: "avg_pool2d(x, 2)") { a, _ in
        t(try avgPool2d(try a.tensor("x"), kernel: try a.pair("kernel"), stride: a.has("stride") ? try a.pair("stride") : nil, padding: try a.pair("padding", default: (0, 0))))
    }
    r.register("upsample(x, scale: nil, size: nil, mode: \"nearest\")", domain: d, summary: "Resizes N×C×H×W by an integer scale or to a size; mode nearest or bilinear.",
               example: "upsample(x, scale: 2, mode: \"bilinear\")") { a, _ in
        let modeName = try a.string("mode", default: "nearest")
        guard let mode = UpsampleMode(rawValue: modeName) else { throw ScriptError(.argument, "upsample: argument 'mode' expects \"nearest\" or \"bilinear\", got \"\(modeName)\"") }
        let x = try a.tensor("x")
        if a.has("size") { return t(try upsample(x, size: try a.pair("size"), mode: mode)) }
        guard a.has("scale") else { throw ScriptError(.argument, "upsample: give either scale or size") }
        return t(try upsample(x, scale: try a.int("scale"), mode: mode))
    }
    r.register("instance_norm(x, weight: nil, bias: nil, eps: 1e-5)", domain: d, summary: "Normalizes each sample's channels over H×W.",
               example: "instance_norm(x)") { a, _ in
        t(try instanceNorm(try a.tensor("x"), weight: try a.optionalTensor("weight"), bias: try a.optionalTensor("bias"), eps: Float(try a.number("eps", default: 1e-5))))
    }
    r.register("batch_norm(x, running_mean: nil, running_var: nil, weight: nil, bias: nil, training: true, momentum: 0.1, eps: 1e-5)", domain: d,
               summary: "Batch normalization over N×H×W per channel; updates running statistics in place when training.",
               example: "batch_norm(x, training: true)") { a, _ in
        t(try batchNorm(try a.tensor("x"), runningMean: try a.optionalTensor("running_mean"), runningVar: try a.optionalTensor("running_var"),
                        weight: try a.optionalTensor("weight"), bias: try a.optionalTensor("bias"), training: try a.bool("training", default: true),
                        momentum: Float(try a.number("momentum", default: 0.1)), eps: Float(try a.number("eps", default: 1e-5))))
    }
    r.register("dropout(x, p: 0.5, training: true)", domain: d, summary: "Zeroes elements with probability p and rescales the rest.",
               example: "dropout(x, p: 0.2)") { a, _ in
        let p = try a.number("p", default: 0.5)
        guard p >= 0, p < 1 else { throw ScriptError(.argument, "dropout: argument 'p' expects a number in [0, 1), got \(formatNumber(p))") }
        return t(try dropout(try a.tensor("x"), p: Float(p), training: try a.bool("training", default: true)))
    }
    r.register("l1_loss(prediction, target)", domain: d, summary: "Mean absolute error, as a one-element tensor.", example: "l1_loss(y, t)") { a, _ in
        t(try l1Loss(try a.tensor("prediction"), try a.tensor("target")))
    }
    r.register("mse_loss(prediction, target)", domain: d, summary: "Mean squared error.", example: "mse_loss(y, t)") { a, _ in
        t(try mseLoss(try a.tensor("prediction"), try a.tensor("target")))
    }
    r.register("bce_with_logits(logits, target)", domain: d, summary: "Binary cross-entropy on logits (numerically stable).",
               example: "bce_with_logits(d_out, ones_like(d_out))") { a, _ in
        t(try bceWithLogits(try a.tensor("logits"), try a.tensor("target")))
    }
}
