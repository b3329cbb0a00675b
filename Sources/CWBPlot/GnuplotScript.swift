/// Builds the gnuplot script for a `PlotSpec`. Kept separate from running gnuplot so it can be
/// tested as text.
public enum GnuplotScript {
    /// A gnuplot single-quoted string: inside one, a quote is written twice.
    public static func quote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }

    public static func make(_ spec: PlotSpec, terminal: PlotOutput, file: String?) throws -> String {
        guard !spec.series.isEmpty else { throw PlotError("plot: nothing to plot (no series)") }
        for s in spec.series {
            guard !s.y.isEmpty else { throw PlotError("plot: series '\(s.title)' is empty") }
            if let x = s.x, x.count != s.y.count {
                throw PlotError("plot: series '\(s.title)' has \(x.count) x values but \(s.y.count) y values")
            }
        }
        if spec.logY, spec.series.contains(where: { $0.y.contains { $0 <= 0 } }), spec.kind == .line {
            throw PlotError("plot: log scale needs positive values (a series has a value <= 0)")
        }
        var lines: [String] = []
        switch terminal {
        case let .png(_, width, height):
            guard width > 0, height > 0 else { throw PlotError("plot: size must be positive, got \(width)x\(height)") }
            lines.append("set terminal pngcairo size \(width),\(height) enhanced font 'sans,10'")
            if let file { lines.append("set output \(quote(file))") }
        case let .text(width, height):
            lines.append("set terminal dumb size \(width),\(height)")
        }
        // Titles are shown as given: 'noenhanced' stops '_' turning into a subscript.
        if !spec.title.isEmpty { lines.append("set title \(quote(spec.title)) noenhanced") }
        if !spec.xlabel.isEmpty { lines.append("set xlabel \(quote(spec.xlabel)) noenhanced") }
        if !spec.ylabel.isEmpty { lines.append("set ylabel \(quote(spec.ylabel)) noenhanced") }
        if spec.logY { lines.append("set logscale y") }
        lines.append("set key noenhanced")
        lines.append("set grid")

        var plots: [String] = []
        var blockIndex = 0
        func block(_ xs: [Double], _ ys: [Double]) -> String {
            blockIndex += 1
            let name = "$d\(blockIndex)"
            lines.append("\(name) << EOD")
            for (x, y) in zip(xs, ys) { lines.append("\(number(x)) \(number(y))") }
            lines.append("EOD")
            return name
        }
        switch spec.kind {
        case .line:
            for s in spec.series {
                let xs = s.x ?? (1...s.y.count).map(Double.init)
                if spec.smooth > 1 {
                    let raw = block(xs, s.y)
                    let avg = block(xs, PlotMath.movingAverage(s.y, window: spec.smooth))
                    plots.append("\(raw) using 1:2 with lines lw 1 dt 3 title \(quote(s.title))")
                    plots.append("\(avg) using 1:2 with lines lw 2 title \(quote("\(s.title) (avg \(spec.smooth))"))")
                } else {
                    let d = block(xs, s.y)
                    plots.append("\(d) using 1:2 with lines lw 2 title \(quote(s.title))")
                }
            }
        case .scatter:
            for s in spec.series {
                let d = block(s.x ?? (1...s.y.count).map(Double.init), s.y)
                plots.append("\(d) using 1:2 with points pt 7 ps 0.6 title \(quote(s.title))")
            }
        case let .histogram(bins):
            lines.append("set style fill solid 0.5 border")
            for s in spec.series {
                let h = try PlotMath.histogram(s.y, bins: bins)
                let d = block(h.centers, h.counts)
                plots.append("\(d) using 1:2:(\(number(h.width))) with boxes title \(quote(s.title))")
            }
        }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        if case .png = terminal { lines.append("unset output") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func number(_ v: Double) -> String {
        v.isFinite ? "\(v)" : "NaN"
    }
}
