/// Numeric helpers for plots: histogram bins and moving averages.
public enum PlotMath {
    /// Counts of `values` in `bins` equal-width bins over [min, max] (the last bin includes max).
    /// Returns the bin centres and counts; non-finite values are skipped.
    public static func histogram(_ values: [Double], bins: Int) throws -> (centers: [Double], counts: [Double], width: Double) {
        guard bins >= 1 else { throw PlotError("hist: bins must be at least 1, got \(bins)") }
        let finite = values.filter { $0.isFinite }
        guard let lo = finite.min(), let hi = finite.max() else {
            throw PlotError("hist: no finite values to bin (\(values.count) values given)")
        }
        // A constant sample still gets a visible bar of width 1.
        let span = hi > lo ? hi - lo : 1
        let width = span / Double(bins)
        var counts = [Double](repeating: 0, count: bins)
        for v in finite {
            let i = Swift.min(bins - 1, Int((v - lo) / width))
            counts[i] += 1
        }
        let centers = (0..<bins).map { lo + (Double($0) + 0.5) * width }
        return (centers, counts, width)
    }

    /// Trailing moving average over `window` values (shorter at the start).
    public static func movingAverage(_ y: [Double], window: Int) -> [Double] {
        guard window > 1 else { return y }
        var out = [Double](); out.reserveCapacity(y.count)
        var sum = 0.0
        for i in y.indices {
            sum += y[i]
            if i >= window { sum -= y[i - window] }
            out.append(sum / Double(Swift.min(i + 1, window)))
        }
        return out
    }
}
