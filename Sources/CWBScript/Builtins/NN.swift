import CWBCore
import CWBNN
import Foundation

// Layers and the study's models as callable values, composable losses, optimizers and
// learning-rate schedules (specs bound to a model's parameters when training starts), and
// weights to and from safetensors.

/// A module in the language: `m(x)` runs it; it prints its layer table.
public final class ModuleValue: ScriptCallable {
    public let module: Module
    /// The input shape its printed summary uses ([1, 1, 64, 64] for a colorization model).
    let exampleInput: [Int]?

    init(_ module: Module, exampleInput: [Int]? = nil) { self.module = module; self.exampleInput = exampleInput }

    public var typeName: String { "model" }
    public var description: String {
        if let shape = exampleInput, let table = try? module.summary(inputShape: shape) { return table }
        let rows = module.namedModules().filter { $0.module.children.isEmpty }.map { n, m in
            "  \(n.isEmpty ? "(self)" : n)  \(m.details.isEmpty ? m.typeName : "\(m.typeName)(\(m.details))")"
        }
        return "\(module.typeName): \(groupedCount(module.parameterCount)) parameters\n" + rows.joined(separator: "\n")
    }
    public var attributeNames: [String] { ["parameters", "training", "type"] }
    public func attribute(_ name: String) throws -> Value? {
        switch name {
        case "parameters": return .number(Double(module.parameterCount))
        case "training": return .bool(module.isTraining)
        case "type": return .string(module.typeName)
        default: return nil
        }
    }
    public func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        let a = try args.binding(["x"])
        return .tensor(try module(try a.tensor("x")))
    }
    public func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "train": module.train(); return .object(self)
        case "eval": module.eval(); return .object(self)
        case "summary":
            let a = try args.binding(["input"])
            let shape = a.has("input") ? try a.intList("input") : (exampleInput ?? [1, 1, 64, 64])
            return .string(try module.summary(inputShape: shape))
        default: return nil
        }
    }
}

/// A loss in the language: `l1() + 0.005 * perceptual("vgg19")`, callable as `loss(pred, target)`.
public final class LossValue: ScriptCallable, ScriptArithmetic {
    public let loss: Loss
    init(_ loss: Loss) { self.loss = loss }
    public var typeName: String { "loss" }
    public var description: String { "loss " + loss.description }
    public func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        let a = try args.binding(["prediction", "target", "luminance"])
        return .tensor(try loss(try a.tensor("prediction"), try a.tensor("target"), luminance: try a.optionalTensor("luminance")))
    }
    public func binary(_ op: String, _ other: Value, selfOnLeft: Bool) throws -> Value? {
        switch (op, other) {
        case ("+", .object(let o as LossValue)): return .object(LossValue(selfOnLeft ? loss + o.loss : o.loss + loss))
        case ("*", .number(let w)): return .object(LossValue(Float(w) * loss))
        case ("/", .number(let w)) where selfOnLeft && w != 0: return .object(LossValue(Float(1 / w) * loss))
        default: return nil
        }
    }
}

/// An optimizer before it has parameters: `adam(lr: 2e-4)`; `fit` binds it to the model.
public final class OptimizerSpec: ScriptObject {
    public let kind: String
    let make: ([(name: String, tensor: Tensor)]) throws -> Optimizer
    let text: String
    init(kind: String, text: String, make: @escaping ([(name: String, tensor: Tensor)]) throws -> Optimizer) {
        self.kind = kind; self.text = text; self.make = make
    }
    public var typeName: String { "optimizer" }
    public var description: String { text }
}

/// A learning-rate schedule: `step_lr(10, gamma: 0.5)`, `decay_after(20)`, `cosine(50)`.
public final class ScheduleValue: ScriptObject {
    public let schedule: LRSchedule
    init(_ s: LRSchedule) { schedule = s }
    public var typeName: String { "schedule" }
    public var description: String { "schedule \(schedule)" }
    public func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value? {
        guard name == "rate" else { return nil }
        let a = try args.binding(["epoch", "base"])
        return .number(Double(schedule.rate(epoch: try a.int("epoch"), base: Float(try a.number("base")))))
    }
}

func groupedCount(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, ch) in s.enumerated() { if i > 0 && (s.count - i) % 3 == 0 { out.append(" ") }; out.append(ch) }
    return out
}

extension Arguments {
    func module(_ name: String) throws -> Module {
        let v = try required(name)
        guard case let .object(o as ModuleValue) = v else { throw fail(name, expects: "a model or layer", got: v) }
        return o.module
    }
    func loss(_ name: String) throws -> Loss {
        let v = try required(name)
        guard case let .object(o as LossValue) = v else { throw fail(name, expects: "a loss such as l1()", got: v) }
        return o.loss
    }
    func optimizerSpec(_ name: String, default d: OptimizerSpec) throws -> OptimizerSpec {
        guard has(name) else { return d }
        let v = value(name)!
        guard case let .object(o as OptimizerSpec) = v else { throw fail(name, expects: "an optimizer such as adam(lr: 2e-4)", got: v) }
        return o
    }
    func schedule(_ name: String) throws -> LRSchedule {
        guard has(name) else { return .constant }
        let v = value(name)!
        guard case let .object(o as ScheduleValue) = v else { throw fail(name, expects: "a schedule such as step_lr(10)", got: v) }
        return o.schedule
    }
    func float(_ name: String, default d: Float) throws -> Float { Float(try number(name, default: Double(d))) }
}

func registerNNBuiltins(_ r: BuiltinRegistry) {
    let d = "nn"
    func m(_ module: Module, _ input: [Int]? = nil) -> Value { .object(ModuleValue(module, exampleInput: input)) }

    // MARK: the study's models
    r.register("unet(base: 64, depth: 5, kernel: 5, dropout: 0.2, decoder_dropout: 0.5, slope: 0.2)", domain: d,
               summary: "The study's final U-Net (L → ab): k×k stride-2 convs + BatchNorm + LeakyReLU + Dropout down, transposed convs + BatchNorm + ReLU up, skips, tanh. Defaults give the 20 564 162-parameter reference model; inputs must be multiples of 2^depth.",
               example: "g = unet(base: 32, depth: 5)") { a, _ in
        let c = UNetConfig(base: try a.int("base", default: 64), depth: try a.int("depth", default: 5), kernel: try a.int("kernel", default: 5),
                           slope: try a.float("slope", default: 0.2), encoderDropout: try a.float("dropout", default: 0.2),
                           decoderDropout: try a.float("decoder_dropout", default: 0.5))
        return m(try UNet(c), [1, 1, 1 << c.depth * 2, 1 << c.depth * 2])
    }
    r.register("pix2pix_generator(base: 64, depth: 8)", domain: d,
               summary: "pix2pix's U-Net generator: 4×4 convs, dropout 0.5 in the first three decoder blocks (depth 8 for 256×256, 6 for 64×64).",
               example: "g = pix2pix_generator(base: 32, depth: 6)") { a, _ in
        let c = UNetConfig.pix2pix(base: try a.int("base", default: 64), depth: try a.int("depth", default: 8))
        return m(try UNet(c), [1, 1, 1 << c.depth, 1 << c.depth])
    }
    r.register("patchgan(base: 64, layers: 3, norm: \"batch\", in_channels: 3)", domain: d,
               summary: "The 70×70 PatchGAN discriminator/critic over (L, ab) pairs; norm \"batch\" (pix2pix), \"instance\" (the CWGAN critic) or \"none\".",
               example: "d = patchgan(norm: \"instance\")") { a, _ in
        let normName = try a.string("norm", default: "batch")
        let norm: PatchGANConfig.Norm
        switch normName {
        case "batch": norm = .batch
        case "instance": norm = .instance(affine: true)
        case "none": norm = PatchGANConfig.Norm.none
        default: throw ScriptError(.value, "patchgan: norm must be \"batch\", \"instance\" or \"none\", got \"\(normName)\"", at: a.location(of: "norm"))
        }
        let c = PatchGANConfig(inChannels: try a.int("in_channels", default: 3), base: try a.int("base", default: 64),
                               layers: try a.int("layers", default: 3), norm: norm)
        return m(try PatchGAN(c), [1, c.inChannels, 64, 64])
    }
    r.register("resunet(base: 64, depth: 5, dropout: 0.2)", domain: d,
               summary: "The CWGAN generator: DownSampleConv / ResBlock / UpSampleConv U-Net with Dropout.",
               example: "g = resunet(base: 32, depth: 4)") { a, _ in
        let c = ResUNetConfig(base: try a.int("base", default: 64), depth: try a.int("depth", default: 5), dropout: try a.float("dropout", default: 0.2))
        return m(try ResUNet(c), [1, 1, 1 << c.depth * 2, 1 << c.depth * 2])
    }

    // MARK: layers (PyTorch's names)
    r.register("Conv2d(in_channels, out_channels, kernel: 3, stride: 1, padding: 0, bias: true)", domain: d,
               summary: "A 2-D convolution layer (weight O×C×k×k, Kaiming-uniform init as PyTorch).", example: "c = Conv2d(1, 16, kernel: 3, padding: 1)") { a, _ in
        m(try Conv2d(try a.int("in_channels"), try a.int("out_channels"), kernel: try a.int("kernel", default: 3),
                     stride: try a.int("stride", default: 1), padding: try a.int("padding", default: 0), bias: try a.bool("bias", default: true)))
    }
    r.register("ConvTranspose2d(in_channels, out_channels, kernel: 4, stride: 2, padding: 1, bias: true)", domain: d,
               summary: "A transposed 2-D convolution layer (weight Cin×Cout×k×k).", example: "u = ConvTranspose2d(16, 8)") { a, _ in
        m(try ConvTranspose2d(try a.int("in_channels"), try a.int("out_channels"), kernel: try a.int("kernel", default: 4),
                              stride: try a.int("stride", default: 2), padding: try a.int("padding", default: 1), bias: try a.bool("bias", default: true)))
    }
    r.register("BatchNorm2d(channels)", domain: d, summary: "Batch normalisation with running statistics.", example: "BatchNorm2d(16)") { a, _ in
        m(try BatchNorm2d(try a.int("channels")))
    }
    r.register("InstanceNorm2d(channels, affine: false)", domain: d, summary: "Instance normalisation.", example: "InstanceNorm2d(16, affine: true)") { a, _ in
        m(try InstanceNorm2d(try a.int("channels"), affine: try a.bool("affine", default: false)))
    }
    r.register("LeakyReLU(slope: 0.01)", domain: d, summary: "Leaky ReLU layer.", example: "LeakyReLU(0.2)") { a, _ in m(LeakyReLU(try a.float("slope", default: 0.01))) }
    r.register("ReLU()", domain: d, summary: "ReLU layer.", example: "ReLU()") { _, _ in m(ReLU()) }
    r.register("Tanh()", domain: d, summary: "Tanh layer.", example: "Tanh()") { _, _ in m(Tanh()) }
    r.register("Sigmoid()", domain: d, summary: "Sigmoid layer.", example: "Sigmoid()") { _, _ in m(Sigmoid()) }
    r.register("Dropout(p: 0.5)", domain: d, summary: "Dropout layer (active in training mode).", example: "Dropout(0.2)") { a, _ in
        m(try Dropout(try a.float("p", default: 0.5)))
    }
    r.register("MaxPool2d(kernel, stride: nil, padding: 0)", domain: d, summary: "Max pooling layer.", example: "MaxPool2d(2)") { a, _ in
        m(try MaxPool2d(kernel: try a.int("kernel"), stride: a.has("stride") ? try a.int("stride") : nil, padding: try a.int("padding", default: 0)))
    }
    r.register("Upsample(scale: 2, mode: \"nearest\")", domain: d, summary: "Upsampling layer (nearest or bilinear).", example: "Upsample(2, mode: \"bilinear\")") { a, _ in
        let name = try a.string("mode", default: "nearest")
        guard let mode = UpsampleMode(rawValue: name) else { throw ScriptError(.value, "Upsample: mode must be \"nearest\" or \"bilinear\", got \"\(name)\"", at: a.location(of: "mode")) }
        return m(try Upsample(scale: try a.int("scale", default: 2), mode: mode))
    }
    r.register("Linear(in_features, out_features, bias: true)", domain: d, summary: "Fully connected layer.", example: "Linear(16, 2)") { a, _ in
        m(try Linear(try a.int("in_features"), try a.int("out_features"), bias: try a.bool("bias", default: true)))
    }
    r.register("Sequential(layers...: layers)", domain: d, summary: "Layers applied in order (state_dict keys 0., 1., … as PyTorch).",
               example: "net = Sequential(Conv2d(1, 8, padding: 1), ReLU(), Conv2d(8, 2, padding: 1), Tanh())") { a, _ in
        let layers = try (a.value("layers").map { $0.asList ?? [$0] } ?? []) .map { v -> Module in
            guard case let .object(o as ModuleValue) = v else { throw a.fail("layers", expects: "layers", got: v) }
            return o.module
        } + a.rest.map { v -> Module in
            guard case let .object(o as ModuleValue) = v else { throw a.fail("layers", expects: "layers", got: v) }
            return o.module
        }
        return m(Sequential(layers))
    }
    r.register("parameters(model)", domain: d, summary: "Number of trainable parameters.", example: "parameters(unet())", methodOf: ["model"]) { a, _ in
        .number(Double(try a.module("model").parameterCount))
    }

    // MARK: losses
    r.register("l1()", domain: d, summary: "Mean absolute error on ab (the study's MAE).", example: "loss = l1()") { _, _ in .object(LossValue(.l1)) }
    r.register("mse()", domain: d, summary: "Mean squared error on ab.", example: "loss = mse()") { _, _ in .object(LossValue(.mse)) }
    r.register("colour()", domain: d, summary: "The CWGAN's colour loss (L1 on ab).", example: "l1() + 0.1 * colour()") { _, _ in .object(LossValue(.colour)) }
    r.register("perceptual(network: \"vgg19\", layer: \"block5_conv4\", weights: nil)", domain: d,
               summary: "Feature MSE at a VGG16/VGG19 layer (Keras names) on RGB built from L and ab. Weights come from a safetensors file converted by Models/convert_vgg.py (default Models/vgg19_features.safetensors or vgg16_features); without it the term is off and says so once.",
               example: "loss = l1() + 0.005 * perceptual(\"vgg19\", layer: \"block5_conv4\")") { a, _ in
        let name = try a.string("network", default: "vgg19")
        guard let variant = VGGFeatures.Variant(rawValue: name) else {
            throw ScriptError(.value, "perceptual: network must be \"vgg16\" or \"vgg19\", got \"\(name)\"", at: a.location(of: "network"))
        }
        let path = try a.optionalString("weights") ?? "Models/\(name)_features.safetensors"
        let url = FileManager.default.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
        return .object(LossValue(.perceptual(try PerceptualLoss(variant, layers: [try a.string("layer", default: "block5_conv4")], weights: url))))
    }

    // MARK: optimizers and schedules
    func clip(_ a: Arguments) throws -> Float? { a.has("clip") ? try a.float("clip", default: 1) : nil }
    // Adam and RAdam take the same arguments.
    let adamFamily: [(String, String, ([(name: String, tensor: Tensor)], Float, Float, Float, Float, Float?) throws -> Optimizer)] = [
        ("adam", "Adam (as torch.optim.Adam); clip rescales gradients to that global norm.",
         { try Adam($0, learningRate: $1, beta1: $2, beta2: $3, weightDecay: $4, clipNorm: $5) }),
        ("radam", "Rectified Adam (as torch.optim.RAdam); clip rescales gradients to that global norm.",
         { try RAdam($0, learningRate: $1, beta1: $2, beta2: $3, weightDecay: $4, clipNorm: $5) }),
    ]
    for (name, summary, make) in adamFamily {
        r.register("\(name)(lr: 0.001, beta1: 0.9, beta2: 0.999, weight_decay: 0, clip: nil)", domain: d, summary: summary,
                   example: "opt = \(name)(lr: 2e-4, beta1: 0.5)") { a, _ in
            let lr = try a.float("lr", default: 1e-3), b1 = try a.float("beta1", default: 0.9), b2 = try a.float("beta2", default: 0.999)
            let wd = try a.float("weight_decay", default: 0), c = try clip(a)
            return .object(OptimizerSpec(kind: name, text: "\(name)(lr: \(lr), beta1: \(b1), beta2: \(b2))") {
                try make($0, lr, b1, b2, wd, c)
            })
        }
    }
    r.register("sgd(lr: 0.01, momentum: 0, nesterov: false, weight_decay: 0, clip: nil)", domain: d,
               summary: "SGD with momentum / Nesterov (as torch.optim.SGD).", example: "opt = sgd(lr: 0.01, momentum: 0.9)") { a, _ in
        let lr = try a.float("lr", default: 0.01), mom = try a.float("momentum", default: 0), nest = try a.bool("nesterov", default: false)
        let wd = try a.float("weight_decay", default: 0), c = try clip(a)
        return .object(OptimizerSpec(kind: "sgd", text: "sgd(lr: \(lr), momentum: \(mom))") {
            try SGD($0, learningRate: lr, momentum: mom, nesterov: nest, weightDecay: wd, clipNorm: c)
        })
    }
    r.register("step_lr(step, gamma: 0.1)", domain: d, summary: "Multiply the rate by gamma every `step` epochs (StepLR).", example: "step_lr(10, gamma: 0.5)") { a, _ in
        .object(ScheduleValue(.step(stepSize: try a.int("step"), gamma: try a.float("gamma", default: 0.1))))
    }
    r.register("decay_after(epoch, factor: 0.904837)", domain: d, summary: "Constant, then × factor per epoch after `epoch` (the study: exp(−0.1) after epoch 20).", example: "decay_after(20)") { a, _ in
        .object(ScheduleValue(.decayAfter(epoch: try a.int("epoch"), factor: try a.float("factor", default: 0.904837))))
    }
    r.register("cosine(epochs, min_lr: 0)", domain: d, summary: "Cosine annealing to min_lr over `epochs`.", example: "cosine(30)") { a, _ in
        .object(ScheduleValue(.cosine(epochs: try a.int("epochs"), minRate: try a.float("min_lr", default: 0))))
    }

    // MARK: weights
    r.register("save_weights(model, path, size: nil)", domain: d,
               summary: "Writes the model's state_dict as safetensors (PyTorch key names, its architecture in the metadata; atomic). size: the working size `cwb colorize` should use.",
               example: "save_weights(g, \"Models/unet.safetensors\", size: 128)", methodOf: ["model"]) { a, interp in
        let path = try a.string("path")
        let metadata = a.has("size") ? ["working_size": String(try a.int("size"))] : [:]
        try Checkpoint.saveModel(try a.module("model"), to: URL(fileURLWithPath: path), metadata: metadata)
        interp.recordArtifact(path)
        return .string(path)
    }
    r.register("load_weights(model, path)", domain: d, summary: "Loads a safetensors state_dict into the model (keys and shapes checked).",
               example: "load_weights(g, \"Models/unet.safetensors\")", methodOf: ["model"]) { a, _ in
        try Checkpoint.loadModel(try a.module("model"), from: URL(fileURLWithPath: try a.string("path")))
        return try a.required("model")
    }
}
