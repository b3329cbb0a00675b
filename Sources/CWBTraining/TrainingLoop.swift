import CWBCore
import CWBData
import CWBNN
import Foundation

/// What one training step does; the loop around it is shared by every regime.
public protocol TrainingRegime: AnyObject {
    /// A short name for messages ("supervised", "pix2pix", "wgan-gp").
    var name: String { get }
    /// Modules saved in checkpoints under these prefixes; the first is the one evaluated.
    var modules: [(name: String, module: Module)] { get }
    /// Optimizers with their base learning rates (the schedule scales them per epoch).
    var optimizers: [(name: String, optimizer: Optimizer, baseRate: Float)] { get }
    /// One update on `batch`; returns the loss terms (a "loss" entry is the headline). Must
    /// throw `NonFiniteLoss` before updating anything when a loss is NaN or infinite.
    func step(_ batch: Batch) throws -> [String: Double]
}

/// A loss became NaN or infinite: training stops and the last good checkpoint stays.
public struct NonFiniteLoss: Error, CustomStringConvertible {
    public let term: String
    public let value: Float
    public var description: String { "loss term '\(term)' is \(value)" }
}

/// Throws `NonFiniteLoss` unless every term is finite; returns them as Doubles.
public func checkedLosses(_ terms: [String: Tensor]) throws -> [String: Double] {
    var out: [String: Double] = [:]
    for (k, t) in terms {
        let v = t.count == 1 ? t.pointer[0] : Float.nan
        guard v.isFinite else { throw NonFiniteLoss(term: k, value: v) }
        out[k] = Double(v)
    }
    return out
}

public struct TrainingOptions {
    public var epochs: Int
    public var schedule: LRSchedule = .constant
    /// Save a checkpoint every this many epochs (and at the end) when `checkpointPath` is set.
    public var checkpointEvery: Int = 1
    public var checkpointPath: String?
    /// Continue from `checkpointPath` if it exists (model, optimizer state, epoch, history).
    public var resume = false
    /// Print one line per epoch through `log`.
    public var log: (String) -> Void = { print($0) }
    public var progressBar = true
    /// A running average of the evaluated module's weights: updated after every step, swapped
    /// in for validation, and left in the module when training returns.
    public var average: WeightAverage?

    public init(epochs: Int) { self.epochs = epochs }
}

/// Runs `regime` for `options.epochs` epochs over `data`. Returns the history so far when a
/// stop is requested (StopRequest, the REPL's Ctrl-C; the request stays set, so a script loop
/// around the call stops too — the REPL clears it at its prompt) or a loss turns non-finite; the model
/// keeps what it learnt. `validate` runs after every epoch with the modules in eval mode.
public func train(_ regime: TrainingRegime, data: BatchSource, options: TrainingOptions,
                  validate: ((Int) throws -> [String: Double])? = nil) throws -> History {
    guard options.epochs >= 0 else { throw TensorError("fit: epochs must be ≥ 0, got \(options.epochs)") }
    guard data.batchesPerEpoch > 0 else { throw TensorError("fit: the training data gives no batch (too few samples for the batch size?)") }
    var history = History()
    var firstEpoch = 0
    if options.resume, let path = options.checkpointPath, FileManager.default.fileExists(atPath: path) {
        (firstEpoch, history) = try TrainingState.load(path, into: regime, average: options.average)
        options.log("resumed \(regime.name) from \(path) at epoch \(firstEpoch + 1)")
    }
    // However training ends, the module keeps the averaged weights (when averaging).
    defer { options.average?.swap() }
    var globalStep = history.steps.last.map { $0.step + 1 } ?? 0
    for epoch in firstEpoch..<max(firstEpoch, options.epochs) {
        let started = now()
        for (_, opt, base) in regime.optimizers { opt.learningRate = options.schedule.rate(epoch: epoch, base: base) }
        for (_, m) in regime.modules { m.train() }
        let nextBatch = data.batches(epoch: epoch)
        let bar = ProgressBar(total: data.batchesPerEpoch, label: "epoch \(epoch + 1)/\(options.epochs)",
                              enabled: options.progressBar && isatty(STDERR_FILENO) == 1)
        var sums: [String: Double] = [:], count = 0
        while let batch = try nextBatch() {
            let losses: [String: Double]
            do { losses = try regime.step(batch) } catch let bad as NonFiniteLoss {
                bar.finish()
                history.stopReason = "\(bad) at epoch \(epoch + 1), step \(globalStep); the update that produced it was not applied"
                options.log("training stopped: \(history.stopReason!)" + (options.checkpointPath.map { "; the last good checkpoint is \($0)" } ?? ""))
                return history
            }
            options.average?.update()
            history.record(step: .init(epoch: epoch, step: globalStep, losses: losses))
            for (k, v) in losses { sums[k, default: 0] += v }
            count += 1; globalStep += 1
            bar.update(count, info: losses["loss"].map { "loss \(format($0))" } ?? "")
            if StopRequest.isRequested { break }
        }
        bar.finish()
        let means = sums.mapValues { $0 / Double(max(count, 1)) }
        if StopRequest.isRequested {
            history.stopReason = "stop requested during epoch \(epoch + 1) after \(count) of \(data.batchesPerEpoch) steps"
            options.log("training stopped: \(history.stopReason!)")
            return history
        }
        var validation: [String: Double]?
        if let validate {
            for (_, m) in regime.modules { m.eval() }
            options.average?.swap()
            defer { options.average?.swap() }
            validation = try noGrad { try validate(epoch) }
        }
        let seconds = now() - started
        history.record(epoch: .init(epoch: epoch, seconds: seconds,
                                    learningRate: Double(regime.optimizers.first?.optimizer.learningRate ?? 0),
                                    train: means, validation: validation))
        options.log(epochLine(epoch: epoch, of: options.epochs, means: means, validation: validation, seconds: seconds))
        if let path = options.checkpointPath,
           (epoch + 1) % max(options.checkpointEvery, 1) == 0 || epoch + 1 == options.epochs {
            try TrainingState.save(path, regime: regime, average: options.average, epoch: epoch + 1, history: history)
        }
    }
    for (_, m) in regime.modules { m.eval() }
    return history
}

func epochLine(epoch: Int, of total: Int, means: [String: Double], validation: [String: Double]?, seconds: Double) -> String {
    var parts = ["epoch \(epoch + 1)/\(total)"]
    parts += means.sorted { $0.key < $1.key }.map { "\($0.key) \(format($0.value))" }
    if let v = validation {
        parts += v.sorted { $0.key < $1.key }.map { "val_\($0.key) \(format($0.value))" }
    }
    parts.append("(\(clock(seconds)))")
    return parts.joined(separator: "  ")
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
