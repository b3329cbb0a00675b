import Foundation
import CWBImaging

/// The study's array layout: L `(N,H,W)` uint8 and one or more ab files `(N_k,H,W,2)` uint8
/// (ΣN_k = N), both in OpenCV's 8-bit Lab encoding, read one sample at a time through a
/// memory map of just that sample's pages.
public final class NpyLabSource: SampleSource, @unchecked Sendable {
    public let l: NpyArray
    public let ab: [NpyArray]
    public let width: Int
    public let height: Int
    private let abStarts: [Int]

    public init(lPath: String, abPaths: [String]) throws {
        guard !abPaths.isEmpty else { throw DataError("\(lPath): no ab file given") }
        l = try NpyArray(path: lPath)
        guard l.dtype == .uint8, l.shape.count == 3 else {
            throw DataError("\(lPath): L must be uint8 of shape (N, H, W), is \(l.dtype) \(l.shape)")
        }
        height = l.shape[1]
        width = l.shape[2]
        ab = try abPaths.map { try NpyArray(path: $0) }
        var starts: [Int] = [], total = 0
        for a in ab {
            guard a.dtype == .uint8, a.shape.count == 4, a.shape[1] == height, a.shape[2] == width, a.shape[3] == 2 else {
                throw DataError("\(a.path): ab must be uint8 of shape (N, \(height), \(width), 2) to match \(lPath), is \(a.dtype) \(a.shape)")
            }
            starts.append(total)
            total += a.itemCount
        }
        guard total == l.itemCount else {
            throw DataError("\(lPath) holds \(l.itemCount) L images but the ab files hold \(total)")
        }
        abStarts = starts
    }

    public var count: Int { l.itemCount }
    public func name(at index: Int) -> String { "\((l.path as NSString).lastPathComponent)[\(index)]" }

    public func sample(at index: Int) throws -> SourceSample {
        try checkIndex(index)
        let k = abStarts.lastIndex { $0 <= index } ?? 0
        let (w, h) = (width, height)
        return .lab(try l.withItem(index) { li in
            try ab[k].withItem(index - abStarts[k]) { abi in
                try LabImage(openCVL: li.bindMemory(to: UInt8.self), ab8: abi.bindMemory(to: UInt8.self), width: w, height: h)
            }
        })
    }
}
