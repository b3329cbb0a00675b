import CWBCore
import CWBNN
import Foundation

/// Resumable training state: CWBNN's multi-part checkpoint (one safetensors file, written
/// atomically) holding every module of the regime under its name, every optimizer under
/// `<name>_optimizer`, and in the metadata the next epoch and the history so far.
enum TrainingState {
    static func parts(_ regime: TrainingRegime) -> (models: [String: Module], optimizers: [String: Optimizer]) {
        (Dictionary(uniqueKeysWithValues: regime.modules.map { ($0.name, $0.module) }),
         Dictionary(uniqueKeysWithValues: regime.optimizers.map { ($0.name + "_optimizer", $0.optimizer) }))
    }

    static func save(_ path: String, regime: TrainingRegime, epoch: Int, history: History) throws {
        let (models, optimizers) = parts(regime)
        let historyJSON = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
        try Checkpoint.save(models: models, optimizers: optimizers,
                            metadata: ["format": "cwb-training", "regime": regime.name, "epoch": String(epoch), "history": historyJSON],
                            to: URL(fileURLWithPath: path))
    }

    /// Restores the regime's modules and optimizers; returns the epoch to continue from and
    /// the history so far.
    static func load(_ path: String, into regime: TrainingRegime) throws -> (Int, History) {
        let (models, optimizers) = parts(regime)
        let metadata = try Checkpoint.load(models: models, optimizers: optimizers, from: URL(fileURLWithPath: path))
        guard metadata["format"] == "cwb-training", let epoch = metadata["epoch"].flatMap({ Int($0) }) else {
            throw TensorError("\(path): not a cwb training checkpoint (no format/epoch metadata)")
        }
        let history = try metadata["history"].map { try JSONDecoder().decode(History.self, from: Data($0.utf8)) } ?? History()
        return (epoch, history)
    }
}
