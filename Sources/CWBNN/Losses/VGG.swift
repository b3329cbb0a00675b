import CWBCore
import Foundation

/// The convolutional part of torchvision's VGG16/VGG19 (`features.N.weight` keys, so weights
/// converted by `Models/convert_vgg.py` load as they are), with Keras' layer names:
/// `block5_conv4` is the ReLU output of the 4th conv of the 5th block. Only the layers up to
/// the deepest one asked for are built.
public final class VGGFeatures: Module {
    public enum Variant: String, Sendable { case vgg16, vgg19 }

    public let variant: Variant
    public let features: Sequential
    /// Keras layer name → index of its output in `features`.
    public let layerIndex: [String: Int]

    static func blocks(_ v: Variant) -> [Int] { v == .vgg16 ? [2, 2, 3, 3, 3] : [2, 2, 4, 4, 4] }

    /// Every Keras conv layer name of `variant` mapped to the index of its ReLU in torchvision's `features`.
    public static func layerNames(_ variant: Variant) -> [String: Int] {
        var out: [String: Int] = [:]
        var index = 0
        for (b, convs) in blocks(variant).enumerated() {
            for c in 0..<convs {
                out["block\(b + 1)_conv\(c + 1)"] = index + 1   // conv at index, ReLU after it
                index += 2
            }
            out["block\(b + 1)_pool"] = index
            index += 1
        }
        return out
    }

    public init(_ variant: Variant, upTo deepest: String) throws {
        let names = Self.layerNames(variant)
        guard let last = names[deepest] else {
            throw TensorError("\(variant.rawValue): no layer \"\(deepest)\"; layers are " + names.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", "))
        }
        self.variant = variant
        self.layerIndex = names
        let widths = [64, 128, 256, 512, 512]
        var layers: [Module] = []
        var channels = 3
        outer: for (b, convs) in Self.blocks(variant).enumerated() {
            for _ in 0..<convs {
                if layers.count > last { break outer }
                layers.append(try Conv2d(channels, widths[b], kernel: 3, padding: 1))
                layers.append(ReLU())
                channels = widths[b]
            }
            if layers.count > last { break }
            layers.append(try MaxPool2d(kernel: 2, stride: 2))
        }
        features = Sequential(Array(layers.prefix(last + 1)))
        super.init()
        child("features", features)
    }

    public override var typeName: String { variant.rawValue.uppercased() }

    public override func forward(_ x: Tensor) throws -> Tensor { try features(x) }

    /// Outputs of the named layers for RGB input already normalised with ImageNet mean/std.
    public func outputs(_ x: Tensor, layers names: [String]) throws -> [Tensor] {
        var wanted: [Int: Int] = [:]
        for (i, n) in names.enumerated() {
            guard let idx = layerIndex[n], idx < features.count else {
                throw TensorError("\(typeName): layer \"\(n)\" is not in this extractor (built up to index \(features.count - 1))")
            }
            wanted[idx] = i
        }
        var out = [Tensor?](repeating: nil, count: names.count)
        var y = x
        for (i, layer) in features.layers.enumerated() {
            y = try layer(y)
            if let j = wanted[i] { out[j] = y }
            if i >= (wanted.keys.max() ?? 0) { break }
        }
        return out.map { $0! }
    }

    /// Loads `features.*` weights from a safetensors file written by `Models/convert_vgg.py`;
    /// entries for layers beyond the deepest built one are ignored.
    public func loadWeights(contentsOf url: URL) throws {
        let file = try SafeTensors.read(contentsOf: url).tensors
        let mine = stateDict()
        var used = StateDict()
        for (k, t, d) in file where mine[k] != nil { used.set(k, t, dtype: d) }
        try load(stateDict: used)
    }
}

/// Feature-space MSE between the RGB images of prediction and target at named VGG layers
/// (Keras names, e.g. `block5_conv4`), averaged over the layers. Needs the input L
/// (`LossInput.luminance`). The network is frozen (its parameters get no gradient from here
/// that anything applies) and always in evaluation mode. Without weights it is off: it
/// reports that once and contributes 0.
public final class PerceptualLoss: LossTerm {
    public let network: VGGFeatures?
    public let layers: [String]
    private var reportedOff = false

    /// A loss on `network` (already loaded), or an off loss when `network` is nil.
    public init(network: VGGFeatures?, layers: [String]) throws {
        guard !layers.isEmpty else { throw TensorError("perceptual loss: give at least one VGG layer name") }
        self.network = network
        self.layers = layers
        network?.eval()
        for p in network?.parameters ?? [] { p.requiresGrad = false }
    }

    /// VGG16/19 with weights from `weights` (a converted safetensors file). A missing path or
    /// file turns the loss off (reported once); a file that is present but wrong is an error.
    public convenience init(_ variant: VGGFeatures.Variant, layers: [String], weights: URL?) throws {
        guard !layers.isEmpty else { throw TensorError("perceptual loss: give at least one VGG layer name") }
        let names = VGGFeatures.layerNames(variant)
        for l in layers where names[l] == nil { throw TensorError("perceptual loss: \(variant.rawValue) has no layer \"\(l)\"") }
        let deepest = layers.max { names[$0]! < names[$1]! }!
        var net: VGGFeatures?
        if let weights, FileManager.default.fileExists(atPath: weights.path) {
            net = try VGGFeatures(variant, upTo: deepest)
            try net!.loadWeights(contentsOf: weights)
        }
        try self.init(network: net, layers: layers)
    }

    public var isOn: Bool { network != nil }
    public var name: String { "perceptual" }

    public func value(_ i: LossInput) throws -> Tensor {
        guard let network else {
            if !reportedOff {
                reportedOff = true
                Notices.report("perceptual loss is off: no VGG weights (convert them with Models/convert_vgg.py)")
            }
            return Tensor(0)
        }
        guard let L = i.luminance else { throw TensorError("perceptual loss: needs the input L (luminance) to build RGB") }
        let rgb = try labToRGB(luminance: L, ab: try abChannels(i.prediction, "perceptual prediction"))
        let feats = try network.outputs(try imagenetNormalize(rgb), layers: layers)
        // The target side needs no graph: computing it apart keeps backward to the prediction.
        let targetFeats = try noGrad {
            try network.outputs(try imagenetNormalize(try labToRGB(luminance: L.detached(),
                                                                   ab: try abChannels(i.target, "perceptual target"))), layers: layers)
        }
        var total: Tensor?
        for (f, t) in zip(feats, targetFeats) {
            let term = try mseLoss(f, t)
            total = try total.map { try $0 + term } ?? term
        }
        return total! * (1 / Float(feats.count))
    }
}

/// (rgb − mean) / std with ImageNet's statistics, as torchvision's VGG expects.
public func imagenetNormalize(_ rgb: Tensor) throws -> Tensor {
    let mean = try Tensor(shape: [1, 3, 1, 1], scalars: [0.485, 0.456, 0.406])
    let std = try Tensor(shape: [1, 3, 1, 1], scalars: [0.229, 0.224, 0.225])
    return try (rgb - mean) / std
}
