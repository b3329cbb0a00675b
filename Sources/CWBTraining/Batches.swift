import CWBCore
import CWBData

/// Where training batches come from, epoch by epoch: CWBData's `BatchLoader` (shuffled per
/// epoch from its seed, augmented, prepared on a background thread) or a fixed list.
public protocol BatchSource: AnyObject {
    var batchesPerEpoch: Int { get }
    /// A function giving the batches of epoch `epoch` (0-based) one by one, then nil.
    func batches(epoch: Int) -> () throws -> Batch?
}

extension BatchLoader: BatchSource {
    public func batches(epoch: Int) -> () throws -> Batch? {
        let stream = self.epoch(epoch)
        return { try stream.next() }
    }
}

/// A fixed list of batches, the same every epoch (overfitting tests, tiny experiments).
public final class FixedBatches: BatchSource {
    private let list: [Batch]
    public init(_ batches: [Batch]) { list = batches }
    public var batchesPerEpoch: Int { list.count }
    public func batches(epoch: Int) -> () throws -> Batch? {
        var next = 0
        let list = self.list
        return {
            guard next < list.count else { return nil }
            defer { next += 1 }
            return list[next]
        }
    }
}
