import CWBCore
import CWBNN
import Foundation

/// Training checkpoints: one safetensors file holding every module's state dict (keys
/// prefixed by the module's name in the regime, e.g. `generator.down.0.weight`), every
/// optimizer's state (`optimizer.<name>.…`), and in its metadata the next epoch and the
/// history so far. Written atomically, so a crash never leaves half a checkpoint.
public enum Checkpoint {
    public static func save(_ path: String, regime: TrainingRegime, epoch: Int, history: History) throws {
        var all = StateDict()
        for (name, module) in regime.modules {
            for (k, t, dtype) in module.stateDict() { all.set(name + "." + k, t, dtype: dtype) }
        }
        for (name, opt, _) in regime.optimizers {
            for (k, t, dtype) in opt.stateDict() { all.set("optimizer.\(name).\(k)", t, dtype: dtype) }
        }
        let historyJSON = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
        try SafeTensors.write(all, metadata: ["format": "cwb-checkpoint", "regime": regime.name,
                                              "epoch": String(epoch), "history": historyJSON],
                              to: URL(fileURLWithPath: path))
    }

    /// Loads a checkpoint into the regime's modules and optimizers; returns the epoch to
    /// continue from and the history so far.
    public static func load(_ path: String, into regime: TrainingRegime) throws -> (Int, History) {
        let (tensors, metadata) = try SafeTensors.read(contentsOf: URL(fileURLWithPath: path))
        guard metadata["format"] == "cwb-checkpoint", let epochText = metadata["epoch"], let epoch = Int(epochText) else {
            throw TensorError("checkpoint \(path): not a cwb training checkpoint (no format/epoch metadata)")
        }
        for (name, module) in regime.modules {
            try module.load(stateDict: tensors.withPrefix(name + "."))
        }
        for (name, opt, _) in regime.optimizers {
            try opt.load(stateDict: tensors.withPrefix("optimizer.\(name)."))
        }
        let history = try metadata["history"].map { try JSONDecoder().decode(History.self, from: Data($0.utf8)) } ?? History()
        return (epoch, history)
    }
}

extension StateDict {
    /// The entries whose key starts with `prefix`, with the prefix removed.
    func withPrefix(_ prefix: String) -> StateDict {
        var out = StateDict()
        for (k, t, dtype) in self where k.hasPrefix(prefix) { out.set(String(k.dropFirst(prefix.count)), t, dtype: dtype) }
        return out
    }
}
