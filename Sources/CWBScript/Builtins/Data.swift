import CWBCore
import CWBData
import CWBImaging
import Foundation

// Datasets (a folder of photos, gray/ + color/ pairs, the study's .npy arrays), seeded
// splits, gray-target scans, and images as values.

/// A dataset in the language: a sample source plus the size the model sees and whether
/// training augments it. `len(d)`, `d[i]` (an image) and `for img in d` work.
public final class DatasetValue: ScriptSequence {
    public let source: any SampleSource
    public let size: Int
    public let augment: Bool
    let origin: String

    init(_ source: any SampleSource, size: Int, augment: Bool, origin: String) {
        self.source = source; self.size = size; self.augment = augment; self.origin = origin
    }

    public var typeName: String { "dataset" }
    public var description: String {
        "dataset: \(source.count) images from \(origin), model size \(size)×\(size)\(augment ? ", augmented for training" : "")"
    }
    public var count: Int { source.count }
    public func element(_ i: Int) throws -> Value { .object(ImageValue(try source.sample(at: i).rgbImage, name: source.name(at: i))) }
    public var attributeNames: [String] { ["count", "size", "names", "augment"] }
    public func attribute(_ name: String) throws -> Value? {
        switch name {
        case "count": return .number(Double(count))
        case "size": return .number(Double(size))
        case "augment": return .bool(augment)
        case "names": return .list((0..<count).map { .string(source.name(at: $0)) })
        default: return nil
        }
    }

    /// Every image at its stored size (the truths an evaluation scores against).
    func truthImages() throws -> [RGBImage] { try (0..<count).map { try source.sample(at: $0).rgbImage } }
    func names() -> [String] { (0..<count).map { source.name(at: $0) } }
}

/// An RGB image in the language.
public final class ImageValue: ScriptObject {
    public let image: RGBImage
    public let name: String
    init(_ image: RGBImage, name: String = "") { self.image = image; self.name = name }
    public var typeName: String { "image" }
    public var description: String { "image \(name.isEmpty ? "" : name + " ")\(image.width)×\(image.height) RGB" }
    public var attributeNames: [String] { ["width", "height", "name", "colorfulness"] }
    public func attribute(_ name: String) throws -> Value? {
        switch name {
        case "width": return .number(Double(image.width))
        case "height": return .number(Double(image.height))
        case "name": return .string(self.name)
        case "colorfulness": return .number(Metrics.colorfulness(image))
        default: return nil
        }
    }
}

extension Arguments {
    func dataset(_ name: String) throws -> DatasetValue {
        let v = try required(name)
        guard case let .object(o as DatasetValue) = v else { throw fail(name, expects: "a dataset such as images(\"Datasets/landscapes/train\")", got: v) }
        return o
    }
    func optionalDataset(_ name: String) throws -> DatasetValue? { has(name) ? try dataset(name) : nil }
    /// An image value or a path to one.
    func image(_ name: String) throws -> RGBImage {
        let v = try required(name)
        if case let .object(o as ImageValue) = v { return o.image }
        if case let .string(path) = v { return try RGBImage.load(path) }
        throw fail(name, expects: "an image or a path to a PNG/JPEG", got: v)
    }
}

func registerDataBuiltins(_ r: BuiltinRegistry) {
    let d = "data"
    r.register("images(path, size: 64, augment: true)", domain: d,
               summary: "A dataset from a folder of colour photos (L and ab derived), or from gray/ + color/ folders matched by name (the study's landscape layout). size is the square the model sees; augment adds seeded random crops, scales and flips in training.",
               example: "data = images(\"Datasets/landscapes/train\", size: 64)") { a, _ in
        let path = try a.string("path")
        let fm = FileManager.default
        let source: any SampleSource
        if fm.fileExists(atPath: path + "/gray"), fm.fileExists(atPath: path + "/color") {
            source = try PairedFolderSource(path)
        } else {
            source = try ImageFolderSource(path)
        }
        return .object(DatasetValue(source, size: try a.int("size", default: 64), augment: try a.bool("augment", default: true), origin: path))
    }
    r.register("npy(l_path, ab_paths, size: 64, augment: true)", domain: d,
               summary: "The study's .npy arrays: L (N,H,W) uint8 and one or more ab (N,H,W,2) uint8 files in OpenCV's 8-bit Lab, memory-mapped, never read whole.",
               example: "data = npy(\"l/gray_scale.npy\", [\"ab/ab1.npy\", \"ab/ab2.npy\"])") { a, _ in
        let ab = try a.list("ab_paths").map { v -> String in
            guard case let .string(s) = v else { throw a.fail("ab_paths", expects: "a list of paths", got: v) }
            return s
        }
        let path = try a.string("l_path")
        return .object(DatasetValue(try NpyLabSource(lPath: path, abPaths: ab), size: try a.int("size", default: 64),
                                    augment: try a.bool("augment", default: true), origin: path))
    }
    r.register("split(data, train_fraction: 0.9, seed: 0)", domain: d,
               summary: "A seeded split into [train, validation]; the validation part is never augmented.",
               example: "train, val = split(data, 0.9, seed: 7)", methodOf: ["dataset"]) { a, _ in
        let data = try a.dataset("data")
        let f = try a.number("train_fraction", default: 0.9)
        guard f > 0 && f < 1 else { throw ScriptError(.value, "split: train_fraction must be between 0 and 1, got \(f)", at: a.location(of: "train_fraction")) }
        let (t, v) = try Splits.split(count: data.count, validationFraction: 1 - f, seed: UInt64(try a.int("seed", default: 0)))
        return .list([.object(DatasetValue(try SubsetSource(data.source, indices: t), size: data.size, augment: data.augment, origin: data.origin + " (train split)")),
                      .object(DatasetValue(try SubsetSource(data.source, indices: v), size: data.size, augment: false, origin: data.origin + " (validation split)"))])
    }
    r.register("with_size(data, size, augment: nil)", domain: d, summary: "The same dataset at another model size (and augmentation).",
               example: "val128 = with_size(val, 128)", methodOf: ["dataset"]) { a, _ in
        let data = try a.dataset("data")
        return .object(DatasetValue(data.source, size: try a.int("size"), augment: a.has("augment") ? try a.bool("augment", default: false) : data.augment, origin: data.origin))
    }
    r.register("gray_targets(data, threshold: 3)", domain: d,
               summary: "Targets that are themselves gray (colorfulness below threshold): {count, names, colorfulness}.",
               example: "g = gray_targets(data); print(g.count)", methodOf: ["dataset"]) { a, _ in
        let scan = try GrayTargetScan.scan(try a.dataset("data").source, threshold: try a.number("threshold", default: 3))
        return .record(Record([("count", .number(Double(scan.grayIndices.count))), ("names", .list(scan.grayNames.map { .string($0) })),
                               ("colorfulness", .list(scan.colorfulness.map { .number($0) }))]))
    }
    r.register("skip_gray(data, threshold: 3)", domain: d, summary: "The dataset without its gray targets.",
               example: "data = skip_gray(data)", methodOf: ["dataset"]) { a, interp in
        let data = try a.dataset("data")
        let scan = try GrayTargetScan.scan(data.source, threshold: try a.number("threshold", default: 3))
        if !scan.grayIndices.isEmpty { interp.emit("skip_gray: leaving out \(scan.grayIndices.count) gray targets") }
        return .object(DatasetValue(try data.source.skipping(scan.grayIndices), size: data.size, augment: data.augment, origin: data.origin))
    }
    r.register("load_image(path)", domain: d, summary: "Reads a PNG or JPEG (errors name the file and the problem).",
               example: "img = load_image(\"photo.jpg\")") { a, _ in
        let path = try a.string("path")
        return .object(ImageValue(try RGBImage.load(path), name: (path as NSString).lastPathComponent))
    }
    r.register("save_image(image, path, quality: 90)", domain: d, summary: "Writes an image as PNG or JPEG (by extension), atomically.",
               example: "save_image(img, \"Plots/out.png\")", methodOf: ["image"]) { a, interp in
        let path = try a.string("path")
        try a.image("image").save(path, quality: try a.int("quality", default: 90))
        interp.recordArtifact(path)
        return .string(path)
    }
    r.register("grid(rows, to, gap: 4)", domain: d, summary: "Writes a PNG of images laid out in rows (a list of lists of images).",
               example: "grid([[a, b], [c, d]], to: \"Plots/grid.png\")") { a, interp in
        let rows = try a.list("rows").map { row -> [RGBImage] in
            guard let items = row.asList else { throw a.fail("rows", expects: "a list of lists of images", got: row) }
            return try items.map { v in
                guard case let .object(o as ImageValue) = v else { throw a.fail("rows", expects: "images", got: v) }
                return o.image
            }
        }
        let path = try a.string("to")
        try ImageGrid.compose(rows, gap: try a.int("gap", default: 4)).save(path)
        interp.recordArtifact(path)
        return .string(path)
    }
}
