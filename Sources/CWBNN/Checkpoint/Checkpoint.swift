import CWBCore
import Foundation

/// Saving and loading models and training state as safetensors.
///
/// - `saveModel`/`loadModel`: a plain `state_dict` (keys exactly PyTorch's), loadable in
///   PyTorch with `model.load_state_dict(safetensors.torch.load_file(path))`.
/// - `save`/`load`: a resumable checkpoint holding several named parts, e.g. `generator`,
///   `critic`, `generator_optimizer`, each key prefixed with `part.`, plus string metadata
///   (epoch, seed, configuration) in `__metadata__`. Written atomically.
public enum Checkpoint {
    /// Writes the model's state_dict; a `DescribedModel` also writes its architecture, so
    /// `loadModel(from:)` can rebuild it.
    public static func saveModel(_ model: Module, to url: URL, metadata: [String: String] = [:]) throws {
        let arch = (model as? DescribedModel)?.architecture ?? [:]
        try SafeTensors.write(model.stateDict(), metadata: arch.merging(metadata) { $1 }, to: url)
    }

    /// Builds the model described by the file's metadata and loads its weights (eval mode).
    public static func loadModel(from url: URL) throws -> (model: Module, metadata: [String: String]) {
        let (sd, meta) = try SafeTensors.read(contentsOf: url)
        let model: Module
        do { model = try makeModel(metadata: meta) } catch let e as TensorError {
            throw TensorError("\(url.lastPathComponent): \(e.message)")
        }
        do { try model.load(stateDict: sd) } catch let e as TensorError {
            throw TensorError("\(url.lastPathComponent): \(e.message)")
        }
        model.eval()
        return (model, meta)
    }

    /// Loads weights into an existing model (strict: every key and shape must match).
    public static func loadModel(_ model: Module, from url: URL) throws {
        let sd = try SafeTensors.read(contentsOf: url).tensors
        do { try model.load(stateDict: sd) } catch let e as TensorError {
            throw TensorError("\(url.lastPathComponent): \(e.message)")
        }
    }

    public static func save(parts: [(name: String, state: StateDict)], metadata: [String: String] = [:], to url: URL) throws {
        var all = StateDict()
        for (n, s) in parts { all = all.merging(s.prefixed(n)) }
        var meta = metadata
        meta["cwb_parts"] = parts.map(\.name).joined(separator: ",")
        try SafeTensors.write(all, metadata: meta, to: url)
    }

    /// Models and optimizers by part name (parts are written in name order), and any extra parts.
    public static func save(models: [String: Module], optimizers: [String: Optimizer],
                            extraParts: [(name: String, state: StateDict)] = [],
                            metadata: [String: String] = [:], to url: URL) throws {
        let parts = models.keys.sorted().map { ($0, models[$0]!.stateDict()) }
                  + optimizers.keys.sorted().map { ($0, optimizers[$0]!.stateDict()) }
        try save(parts: parts + extraParts, metadata: metadata, to: url)
    }

    /// Restores the named models and optimizers; returns the metadata. Every model part is
    /// checked (missing/unexpected keys, shapes) and an error names the part.
    @discardableResult
    public static func load(models: [String: Module], optimizers: [String: Optimizer] = [:], from url: URL) throws -> [String: String] {
        let (all, meta) = try SafeTensors.read(contentsOf: url)
        for (name, m) in models.sorted(by: { $0.key < $1.key }) {
            let part = all.section(name)
            guard part.count > 0 else { throw TensorError("\(url.lastPathComponent): no part \"\(name)\" in the checkpoint") }
            do { try m.load(stateDict: part) } catch let e as TensorError {
                throw TensorError("\(url.lastPathComponent), part \(name): \(e.message)")
            }
        }
        for (name, o) in optimizers.sorted(by: { $0.key < $1.key }) {
            let part = all.section(name)
            guard part.count > 0 else { throw TensorError("\(url.lastPathComponent): no part \"\(name)\" in the checkpoint") }
            do { try o.load(stateDict: part) } catch let e as TensorError {
                throw TensorError("\(url.lastPathComponent), part \(name): \(e.message)")
            }
        }
        return meta
    }
}
