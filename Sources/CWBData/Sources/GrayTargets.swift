import Foundation
import CWBImaging

/// Targets that are themselves gray (the study's second dataset had some) teach a model to
/// output gray. They are found by colorfulness (Hasler & Süsstrunk) below a threshold.
public struct GrayTargetScan: Sendable, CustomStringConvertible {
    public let threshold: Double
    /// Colorfulness of every sample's target, in source order.
    public let colorfulness: [Double]
    public let grayIndices: [Int]
    public let grayNames: [String]

    /// Scans every target (shrunk so its shorter side is at most `scanSide` px first: the
    /// measure hardly depends on size) using every core.
    public static func scan(_ source: any SampleSource, threshold: Double = 3, scanSide: Int = 64) throws -> GrayTargetScan {
        let n = source.count
        var values = [Double](repeating: 0, count: n)
        var failure: Error?
        let lock = NSLock()
        values.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let out = buf
            DispatchQueue.concurrentPerform(iterations: n) { i in
                do {
                    var rgb = try source.sample(at: i).rgbImage
                    if min(rgb.width, rgb.height) > scanSide { rgb = try rgb.resized(shorterSide: scanSide) }
                    out[i] = Metrics.colorfulness(rgb)
                } catch {
                    lock.lock(); failure = failure ?? DataError("\(source.name(at: i)): \(error)"); lock.unlock()
                }
            }
        }
        if let failure { throw failure }
        let gray = (0..<n).filter { values[$0] < threshold }
        return GrayTargetScan(threshold: threshold, colorfulness: values, grayIndices: gray,
                              grayNames: gray.map { source.name(at: $0) })
    }

    public var description: String {
        let list = grayNames.prefix(10).joined(separator: ", ") + (grayNames.count > 10 ? ", …" : "")
        return "\(grayIndices.count) of \(colorfulness.count) targets are gray (colorfulness < \(threshold))"
            + (grayNames.isEmpty ? "" : ": \(list)")
    }
}
