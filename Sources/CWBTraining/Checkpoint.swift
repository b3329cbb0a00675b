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

    static func save(_ path: String, regime: TrainingRegime, average: WeightAverage?, epoch: Int, history: History) throws {
        let (models, optimizers) = parts(regime)
        let historyJSON = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
        try Checkpoint.save(models: models, optimizers: optimizers,
                            extraParts: average.map { [(averagePart, $0.stateDict())] } ?? [],
                            metadata: ["format": "cwb-training", "regime": regime.name, "epoch": String(epoch), "history": historyJSON],
                            to: URL(fileURLWithPath: path))
    }

    /// The part holding the weight average, when training averages.
    static let averagePart = "average"

    /// Restores the regime's modules and optimizers; returns the epoch to continue from and
    /// the history so far.
    static func load(_ path: String, into regime: TrainingRegime, average: WeightAverage?) throws -> (Int, History) {
        let (models, optimizers) = parts(regime)
        let metadata = try Checkpoint.load(models: models, optimizers: optimizers, from: URL(fileURLWithPath: path))
        if let average {
            // A checkpoint of a run that did not average: the average starts at its weights.
            let part = try SafeTensors.read(contentsOf: URL(fileURLWithPath: path)).0.section(averagePart)
            if part.count == 0 { average.reset() } else {
                do { try average.load(stateDict: part) } catch let e as TensorError { throw TensorError("\(path): \(e.message)") }
            }
        }
        guard metadata["format"] == "cwb-training", let epoch = metadata["epoch"].flatMap({ Int($0) }) else {
            throw TensorError("\(path): not a cwb training checkpoint (no format/epoch metadata)")
        }
        let history = try metadata["history"].map { try JSONDecoder().decode(History.self, from: Data($0.utf8)) } ?? History()
        return (epoch, history)
    }
}
