import Foundation
import CWBCore
import CWBImaging

/// One training batch: L/50 − 1 as [B,1,S,S], ab/110 as [B,2,S,S], and where each came from.
public struct Batch: @unchecked Sendable {
    public let l: Tensor
    public let ab: Tensor
    public let names: [String]
    /// Indices into the loader's source.
    public let indices: [Int]

    public init(l: Tensor, ab: Tensor, names: [String] = [], indices: [Int] = []) {
        self.l = l; self.ab = ab; self.names = names; self.indices = indices
    }
}

/// Turns a source into batches of Lab tensors. Each epoch visits every sample once, in an
/// order shuffled from (seed, epoch); each sample's augmentation is drawn from
/// (seed, epoch, index), so a run is the same whatever the threading. The next batches are
/// prepared on a background thread while the caller trains on the current one.
public final class BatchLoader: @unchecked Sendable {
    public let source: any SampleSource
    public let batchSize: Int
    public let size: Int
    /// nil: centred square crop, no randomness (validation).
    public let augmentation: Augmentation?
    public let shuffle: Bool
    public let seed: UInt64
    public let dropLast: Bool
    /// Threads that decode the samples of one batch (1 = the background thread alone).
    public let workers: Int
    /// Batches prepared ahead of the one being used.
    public let prefetch: Int

    public init(source: any SampleSource, batchSize: Int, size: Int, augmentation: Augmentation? = nil,
                shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false, workers: Int = 1, prefetch: Int = 2) throws {
        guard batchSize > 0 else { throw DataError("batch size \(batchSize) must be positive") }
        guard size > 0 else { throw DataError("sample size \(size) must be positive") }
        guard source.count > 0 else { throw DataError("the dataset is empty") }
        guard workers > 0, prefetch > 0 else { throw DataError("workers (\(workers)) and prefetch (\(prefetch)) must be positive") }
        if let a = augmentation, a.size != size {
            throw DataError("augmentation size \(a.size) differs from the loader's size \(size)")
        }
        self.source = source
        self.batchSize = batchSize
        self.size = size
        self.augmentation = augmentation
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.workers = workers
        self.prefetch = prefetch
    }

    public var batchesPerEpoch: Int {
        dropLast ? source.count / batchSize : (source.count + batchSize - 1) / batchSize
    }

    /// The sample order of an epoch.
    public func order(epoch: Int) -> [Int] {
        shuffle ? RandomGenerator(seed: mix(seed, UInt64(epoch), 0x5EED)).permutation(source.count) : Array(0..<source.count)
    }

    /// Builds one batch from the given source indices, on the calling thread(s).
    public func makeBatch(_ indices: [Int], epoch: Int) throws -> Batch {
        var images = [LabImage?](repeating: nil, count: indices.count)
        var failure: Error?
        let lock = NSLock()
        let work = { (k: Int) in
            let index = indices[k]
            do {
                let g = RandomGenerator(seed: self.mix(self.seed, UInt64(epoch), UInt64(index)))
                let lab = try self.source.sample(at: index).lab(size: self.size, augmentation: self.augmentation, generator: g)
                lock.lock(); images[k] = lab; lock.unlock()
            } catch {
                lock.lock(); failure = failure ?? DataError("\(self.source.name(at: index)): \(error)"); lock.unlock()
            }
        }
        if workers > 1 && indices.count > 1 {
            DispatchQueue.concurrentPerform(iterations: indices.count, execute: work)
        } else {
            for k in 0..<indices.count { work(k) }
        }
        if let failure { throw failure }
        let labs = images.compactMap { $0 }
        return Batch(l: try LabTensors.lTensor(labs), ab: try LabTensors.abTensor(labs),
                     names: indices.map { source.name(at: $0) }, indices: indices)
    }

    /// The batches of one epoch, prepared ahead on a background thread.
    public func epoch(_ epoch: Int) -> EpochBatches {
        let order = self.order(epoch: epoch)
        var groups: [[Int]] = []
        var start = 0
        while start < order.count {
            let end = min(start + batchSize, order.count)
            if end - start == batchSize || !dropLast { groups.append(Array(order[start..<end])) }
            start = end
        }
        return EpochBatches(loader: self, groups: groups, epoch: epoch)
    }

    /// SplitMix64 of the three parts: independent streams per (seed, epoch, index).
    func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        var z = a &+ 0x9E37_79B9_7F4A_7C15 &* (b &+ 1) &+ 0xBF58_476D_1CE4_E5B9 &* (c &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Iterates the batches of one epoch; a producer thread keeps up to `prefetch` batches ready.
/// Dropping this object stops the producer.
public final class EpochBatches: @unchecked Sendable {
    /// Shared between the consumer and the producer thread, guarded by `condition`.
    final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var ready: [Result<Batch, Error>] = []
        var cancelled = false
    }

    public let count: Int
    private let queue = Queue()
    private var delivered = 0

    init(loader: BatchLoader, groups: [[Int]], epoch: Int) {
        count = groups.count
        let q = queue, capacity = loader.prefetch
        let thread = Thread {
            for group in groups {
                let result = Result { try loader.makeBatch(group, epoch: epoch) }
                q.condition.lock()
                while q.ready.count >= capacity && !q.cancelled { q.condition.wait() }
                if q.cancelled { q.condition.unlock(); return }
                q.ready.append(result)
                q.condition.broadcast()
                q.condition.unlock()
                if case .failure = result { return }
            }
        }
        thread.name = "cwb batch loader"
        thread.start()
    }

    deinit {
        queue.condition.lock()
        queue.cancelled = true
        queue.condition.broadcast()
        queue.condition.unlock()
    }

    /// The next batch, waiting for it if it is not ready; nil at the end of the epoch.
    /// A sample that fails to load is thrown here (naming it) and ends the epoch.
    public func next() throws -> Batch? {
        guard delivered < count else { return nil }
        queue.condition.lock()
        while queue.ready.isEmpty { queue.condition.wait() }
        let result = queue.ready.removeFirst()
        queue.condition.broadcast()
        queue.condition.unlock()
        delivered += 1
        if case .failure = result { delivered = count }
        return try result.get()
    }
}
