import Foundation

/// What a training run recorded: every step's losses and, per epoch, the mean training losses,
/// the learning rate, the time taken and the validation metrics (beside the gray baseline).
public final class History: Codable {
    public struct Step: Codable, Sendable {
        public let epoch: Int
        public let step: Int
        public let losses: [String: Double]
    }

    public struct Epoch: Codable, Sendable {
        public let epoch: Int
        public let seconds: Double
        public let learningRate: Double
        public let train: [String: Double]
        public let validation: [String: Double]?
    }

    public private(set) var steps: [Step] = []
    public private(set) var epochs: [Epoch] = []
    /// Why the run ended early (a stop request, a non-finite loss), nil when it ran to the end.
    public var stopReason: String?

    public init() {}

    func record(step: Step) { steps.append(step) }
    func record(epoch: Epoch) { epochs.append(epoch) }

    /// Per-step values of one loss term.
    public func stepSeries(_ name: String) -> [Double] { steps.compactMap { $0.losses[name] } }

    /// Per-epoch values: a training loss term (`"loss"`), or a validation metric with the
    /// `val_` prefix (`"val_psnr"`, `"val_loss"`).
    public func epochSeries(_ name: String) -> [Double] {
        if name.hasPrefix("val_") {
            let key = String(name.dropFirst(4))
            return epochs.compactMap { $0.validation?[key] }
        }
        return epochs.compactMap { $0.train[name] }
    }

    /// Names of everything recorded per epoch (training terms, then `val_` metrics).
    public var seriesNames: [String] {
        let train = Set(epochs.flatMap { $0.train.keys }).sorted()
        let val = Set(epochs.flatMap { $0.validation?.keys.map { $0 } ?? [] }).sorted().map { "val_" + $0 }
        return train + val
    }

    public var summary: String {
        guard let last = epochs.last else { return "History: no epoch finished (\(steps.count) steps)" }
        let train = last.train.sorted { $0.key < $1.key }.map { "\($0.key) \(format($0.value))" }.joined(separator: ", ")
        var text = "History: \(epochs.count) epochs, \(steps.count) steps; last epoch: \(train)"
        if let v = last.validation {
            text += "; validation: " + v.sorted { $0.key < $1.key }.map { "\($0.key) \(format($0.value))" }.joined(separator: ", ")
        }
        if let stopReason { text += " (stopped: \(stopReason))" }
        return text
    }
}

func format(_ v: Double) -> String {
    if v == 0 { return "0" }
    let a = Swift.abs(v)
    return a >= 1e4 || a < 1e-3 ? String(format: "%.3e", v) : String(format: "%.4g", v)
}
