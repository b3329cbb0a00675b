/// What to draw, independent of how gnuplot is driven: the plot builtins of the language and
/// the training code build a `PlotSpec`, `Gnuplot` renders it.
public struct PlotSeries: Sendable, Equatable {
    public var title: String
    /// nil: the x values are 1, 2, 3, … (epochs, steps).
    public var x: [Double]?
    public var y: [Double]

    public init(title: String, x: [Double]? = nil, y: [Double]) {
        self.title = title
        self.x = x
        self.y = y
    }
}

public enum PlotKind: Sendable, Equatable {
    case line
    case scatter
    /// Values are binned in Swift (so the bins are exact and testable); drawn as boxes.
    case histogram(bins: Int)
}

public struct PlotSpec: Sendable, Equatable {
    public var kind: PlotKind
    public var series: [PlotSeries]
    public var title: String
    public var xlabel: String
    public var ylabel: String
    /// Logarithmic y axis (loss curves spanning decades).
    public var logY: Bool
    /// Moving-average window for line plots; 1 draws the raw values only. With a larger window
    /// each series is drawn raw (thin) and smoothed (thick), so noise stays visible.
    public var smooth: Int

    public init(kind: PlotKind = .line, series: [PlotSeries], title: String = "", xlabel: String = "",
                ylabel: String = "", logY: Bool = false, smooth: Int = 1) {
        self.kind = kind
        self.series = series
        self.title = title
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.logY = logY
        self.smooth = smooth
    }
}

/// Where the plot goes: a PNG file (pngcairo) or text (gnuplot's `dumb` terminal).
public enum PlotOutput: Sendable, Equatable {
    case png(path: String, width: Int, height: Int)
    case text(width: Int, height: Int)
}

public struct PlotError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
