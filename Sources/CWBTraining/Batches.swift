import CWBCore

/// One training batch in the model's conventions: L/50 − 1 as N×1×H×W, ab/110 as N×2×H×W.
public struct Batch {
    public let L: Tensor
    public let ab: Tensor
    public let names: [String]
    public init(L: Tensor, ab: Tensor, names: [String] = []) { self.L = L; self.ab = ab; self.names = names }
}

/// Where training batches come from, epoch by epoch (the data loader adapts to this).
public protocol BatchSource: AnyObject {
    var batchesPerEpoch: Int { get }
    /// Starts epoch `epoch` (0-based): the source reshuffles with its seed and this epoch number.
    func startEpoch(_ epoch: Int) throws
    /// The next batch of the current epoch, nil at its end.
    func nextBatch() throws -> Batch?
}

/// A fixed list of batches, the same every epoch (overfitting tests, tiny experiments).
public final class FixedBatches: BatchSource {
    private let batches: [Batch]
    private var next = 0
    public init(_ batches: [Batch]) { self.batches = batches }
    public var batchesPerEpoch: Int { batches.count }
    public func startEpoch(_ epoch: Int) { next = 0 }
    public func nextBatch() -> Batch? {
        guard next < batches.count else { return nil }
        defer { next += 1 }
        return batches[next]
    }
}
