import Foundation

/// Per-image values of one metric and their summary.
public struct MetricSummary: Sendable, Equatable, CustomStringConvertible {
    public let values: [Double]
    public let mean: Double
    public let median: Double
    public let min: Double
    public let max: Double

    public init(_ values: [Double]) {
        self.values = values
        let s = values.sorted()
        if s.isEmpty {
            mean = .nan; median = .nan; min = .nan; max = .nan
        } else {
            mean = s.reduce(0, +) / Double(s.count)
            median = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
            min = s[0]; max = s[s.count - 1]
        }
    }

    public var description: String {
        String(format: "mean %.4f  median %.4f  min %.4f  max %.4f  (n=%d)", mean, median, min, max, values.count)
    }
}

/// The scores of one set of predictions against their truths, always beside the **gray
/// baseline** (each truth rebuilt from its own L with a = b = 0) on the same images.
public struct MetricReport: Sendable, CustomStringConvertible {
    public let names: [String]
    public let psnr: MetricSummary
    public let ssim: MetricSummary
    public let colorfulness: MetricSummary
    public let baselinePSNR: MetricSummary
    public let baselineSSIM: MetricSummary
    public let baselineColorfulness: MetricSummary
    /// Colorfulness of the truths themselves (how much colour there was to find).
    public let truthColorfulness: MetricSummary

    public var description: String {
        """
        \(names.count) images        model                                   gray baseline (a = b = 0)
        PSNR dB   \(psnr)
                  baseline \(baselinePSNR)
        SSIM      \(ssim)
                  baseline \(baselineSSIM)
        colorful  \(colorfulness)
                  baseline \(baselineColorfulness)  truth mean \(String(format: "%.3f", truthColorfulness.mean))
        """
    }
}

extension Metrics {
    /// The gray baseline of a truth image: its own L with zero chroma, back to sRGB.
    public static func grayBaseline(of truth: RGBImage) -> RGBImage {
        LabImage(rgb: truth).withoutChroma().rgb()
    }

    /// Scores predictions against truths (same sizes pairwise) and the gray baseline on the
    /// same truths. Images are scored in parallel.
    public static func report(predictions: [RGBImage], truths: [RGBImage], names: [String]? = nil,
                              ssim variant: SSIMVariant = .uniform7) throws -> MetricReport {
        guard predictions.count == truths.count else {
            throw ImageError("\(predictions.count) predictions for \(truths.count) truth images")
        }
        let names = names ?? (0..<truths.count).map { "image \($0)" }
        guard names.count == truths.count else { throw ImageError("\(names.count) names for \(truths.count) images") }
        for i in 0..<truths.count {
            let (p, t) = (predictions[i], truths[i])
            guard p.width == t.width, p.height == t.height else {
                throw ImageError("\(names[i]): prediction \(p.width)x\(p.height) and truth \(t.width)x\(t.height) differ in size")
            }
        }
        let n = truths.count
        // 7 numbers per image: psnr, ssim, colour, base psnr, base ssim, base colour, truth colour.
        let scores = UnsafeMutableBufferPointer<Double>.allocate(capacity: 7 * n)
        defer { scores.deallocate() }
        nonisolated(unsafe) let out = scores
        nonisolated(unsafe) var failure: Error? = nil
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: n) { i in
            do {
                let t = truths[i], p = predictions[i], g = grayBaseline(of: t)
                out[7 * i] = try psnr(t, p)
                out[7 * i + 1] = try ssim(t, p, variant: variant)
                out[7 * i + 2] = colorfulness(p)
                out[7 * i + 3] = try psnr(t, g)
                out[7 * i + 4] = try ssim(t, g, variant: variant)
                out[7 * i + 5] = colorfulness(g)
                out[7 * i + 6] = colorfulness(t)
            } catch {
                lock.lock(); failure = error; lock.unlock()
            }
        }
        if let failure { throw ImageError("\(failure)") }
        func column(_ k: Int) -> MetricSummary { MetricSummary((0..<n).map { scores[7 * $0 + k] }) }
        return MetricReport(names: names, psnr: column(0), ssim: column(1), colorfulness: column(2),
                            baselinePSNR: column(3), baselineSSIM: column(4), baselineColorfulness: column(5),
                            truthColorfulness: column(6))
    }
}
