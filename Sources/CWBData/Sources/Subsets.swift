import CWBCore

/// Some samples of another source, in a given order.
public struct SubsetSource: SampleSource {
    public let base: any SampleSource
    public let indices: [Int]

    public init(_ base: any SampleSource, indices: [Int]) throws {
        for i in indices where !(0..<base.count).contains(i) {
            throw DataError("subset index \(i) out of range 0..<\(base.count)")
        }
        self.base = base
        self.indices = indices
    }

    public var count: Int { indices.count }
    public func name(at index: Int) -> String { base.name(at: indices[index]) }
    public func sample(at index: Int) throws -> SourceSample {
        try checkIndex(index)
        return try base.sample(at: indices[index])
    }
}

public enum Splits {
    /// A seeded random split of 0..<count: `validationFraction` of the indices (rounded, at least
    /// one when count > 1) go to validation; both lists are sorted.
    public static func split(count: Int, validationFraction: Double, seed: UInt64) throws -> (train: [Int], validation: [Int]) {
        guard (0...1).contains(validationFraction) else {
            throw DataError("validation fraction \(validationFraction) is not in 0...1")
        }
        var nVal = Int((Double(count) * validationFraction).rounded())
        if validationFraction > 0 && count > 1 { nVal = max(1, nVal) }
        nVal = min(nVal, count)
        let perm = RandomGenerator(seed: seed).permutation(count)
        return (Array(perm[nVal...]).sorted(), Array(perm[..<nVal]).sorted())
    }
}

extension SampleSource {
    /// Seeded train/validation split of this source.
    public func split(validationFraction: Double, seed: UInt64) throws -> (train: SubsetSource, validation: SubsetSource) {
        let (t, v) = try Splits.split(count: count, validationFraction: validationFraction, seed: seed)
        return (try SubsetSource(self, indices: t), try SubsetSource(self, indices: v))
    }

    /// This source without the given indices (e.g. gray targets).
    public func skipping(_ skip: [Int]) throws -> SubsetSource {
        let s = Set(skip)
        return try SubsetSource(self, indices: (0..<count).filter { !s.contains($0) })
    }
}
