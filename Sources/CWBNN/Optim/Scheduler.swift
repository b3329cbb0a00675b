import Foundation

/// A learning-rate schedule as a pure function of the epoch (0-based), so resuming at
/// epoch e gives the same rate as an uninterrupted run. Apply with
/// `optimizer.learningRate = schedule.rate(epoch: e, base: baseRate)` at the start of each epoch.
public enum LRSchedule: Sendable, Equatable {
    case constant
    /// × `gamma` every `stepSize` epochs (PyTorch's StepLR).
    case step(stepSize: Int, gamma: Float)
    /// Constant for the first `epoch` epochs, then × `factor` per epoch (the study's
    /// Keras callback: `lr * exp(-0.1)` after epoch 20).
    case decayAfter(epoch: Int, factor: Float)
    /// Cosine from the base rate to `minRate` over `epochs` epochs (CosineAnnealingLR).
    case cosine(epochs: Int, minRate: Float)

    public func rate(epoch: Int, base: Float) -> Float {
        switch self {
        case .constant: return base
        case let .step(s, gamma): return base * pow(gamma, Float(epoch / Swift.max(s, 1)))
        case let .decayAfter(n, factor): return base * pow(factor, Float(Swift.max(0, epoch - n + 1)))
        case let .cosine(t, minRate):
            let e = Float(Swift.min(epoch, t))
            return minRate + (base - minRate) * (1 + cos(Float.pi * e / Float(Swift.max(t, 1)))) / 2
        }
    }
}
