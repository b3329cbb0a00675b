import CWBPlot
import Foundation

/// A plot written to a file: what `plot(..., to:)` returns.
public final class PlotValue: ScriptObject {
    public let path: String
    public let title: String
    public let width: Int, height: Int

    init(path: String, title: String, width: Int, height: Int) {
        self.path = path
        self.title = title
        self.width = width
        self.height = height
    }

    public var typeName: String { "plot" }
    public var description: String { "plot \(title.isEmpty ? "" : "'\(title)' ")→ \(path) (\(width)×\(height) PNG)" }
    public var attributeNames: [String] { ["path", "title", "width", "height"] }
    public func attribute(_ name: String) throws -> Value? {
        switch name {
        case "path": return .string(path)
        case "title": return .string(title)
        case "width": return .number(Double(width))
        case "height": return .number(Double(height))
        default: return nil
        }
    }
}

/// Turns plot data into series: a list or 1-D tensor of numbers, a record of them (one series
/// per field), a list of lists, or a plottable object (a training history).
func plotSeries(_ v: Value, _ function: String, _ name: String) throws -> (series: [PlotSeries], xlabel: String, ylabel: String) {
    func numbers(_ v: Value, _ what: String) throws -> [Double] {
        if case let .tensor(t) = v {
            guard t.rank <= 1 || function == "hist" else {
                throw ScriptError(.value, "\(function): \(what) must be a 1-D tensor, got shape \(TensorFormat.shapeText(t.shape))")
            }
            return t.scalars.map(Double.init)
        }
        guard let items = v.asList else {
            throw ScriptError(.argument, "\(function): argument '\(name)' expects numbers (a list, a tensor, a record of them or a history), got \(v.typeName)")
        }
        return try items.map { item in
            guard let x = item.asNumber else { throw ScriptError(.value, "\(function): \(what) holds a \(item.typeName), not only numbers") }
            return x
        }
    }
    switch v {
    case let .object(o as ScriptPlottable):
        let p = try o.plotSeries()
        return (p.series.map { PlotSeries(title: $0.title, x: $0.x, y: $0.y) }, p.xlabel, p.ylabel)
    case let .record(r):
        return (try r.fields.map { PlotSeries(title: $0.name, y: try numbers($0.value, "field '\($0.name)'")) }, "", "")
    case let .list(items) where !items.isEmpty && items.allSatisfy({ $0.asList != nil || { if case .tensor = $0 { return true }; return false }($0) }):
        return (try items.enumerated().map { PlotSeries(title: "series \($0.offset + 1)", y: try numbers($0.element, "series \($0.offset + 1)")) }, "", "")
    default:
        return ([PlotSeries(title: name == "values" ? "values" : "y", y: try numbers(v, "'\(name)'"))], "", "")
    }
}

/// Runs a plot: a PNG when `to:` is given (recorded for notebook reports), else text inline.
func renderPlot(_ spec: PlotSpec, _ a: Arguments, _ interp: Interpreter) throws -> Value {
    let gnuplot = try Gnuplot()
    if let path = try a.optionalString("to") {
        let size = a.has("size") ? try a.pair("size") : (800, 500)
        try gnuplot.render(spec, to: .png(path: path, width: size.0, height: size.1))
        interp.recordArtifact(path)
        return .object(PlotValue(path: path, title: spec.title, width: size.0, height: size.1))
    }
    let size = a.has("size") ? try a.pair("size") : (80, 25)
    interp.output(try gnuplot.render(spec, to: .text(width: size.0, height: size.1)))
    return .null
}

func registerPlotBuiltins(_ r: BuiltinRegistry) {
    let d = "plot"
    let common = "to: nil, title: \"\", xlabel: \"\", ylabel: \"\", size: nil"
    r.register("plot(data, y: nil, smooth: 1, log: false, \(common))", domain: d,
               summary: "Line plot of numbers, a record of series ({train: …, val: …}), a list of series or a history; with y, data are the x values. smooth averages over a window; log makes the y axis logarithmic. PNG with to: (size [w, h] pixels), else text in the terminal.",
               example: "plot({train: [1, 0.5, 0.3], val: [1.1, 0.7, 0.5]}, title: \"loss\", to: \"Plots/loss.png\")",
               methodOf: ["history", "list", "record", "tensor"]) { a, interp in
        var (series, xlabel, ylabel) = try plotSeries(try a.required("data"), "plot", "data")
        if a.has("y") {
            guard series.count == 1 else { throw ScriptError(.argument, "plot: with y, data must be one list of x values") }
            let ys = try plotSeries(try a.required("y"), "plot", "y").series
            guard ys.count == 1 else { throw ScriptError(.argument, "plot: y must be one list of numbers") }
            series = [PlotSeries(title: "y", x: series[0].y, y: ys[0].y)]
        }
        let smooth = try a.int("smooth", default: 1)
        guard smooth >= 1 else { throw ScriptError(.argument, "plot: argument 'smooth' expects a window of at least 1, got \(smooth)") }
        let spec = PlotSpec(kind: .line, series: series, title: try a.string("title", default: ""),
                            xlabel: try a.string("xlabel", default: xlabel), ylabel: try a.string("ylabel", default: ylabel),
                            logY: try a.bool("log", default: false), smooth: smooth)
        return try renderPlot(spec, a, interp)
    }
    r.register("hist(values, bins: 20, \(common))", domain: d,
               summary: "Histogram of numbers (a list, any tensor, or a record of several) in bins equal-width bins.",
               example: "hist(randn(1000), bins: 30, title: \"normal\", to: \"Plots/hist.png\")", methodOf: ["list", "tensor"]) { a, interp in
        let bins = try a.int("bins", default: 20)
        guard bins >= 1, bins <= 10_000 else { throw ScriptError(.argument, "hist: argument 'bins' expects 1…10000, got \(bins)") }
        let series = try plotSeries(try a.required("values"), "hist", "values").series
        let spec = PlotSpec(kind: .histogram(bins: bins), series: series, title: try a.string("title", default: ""),
                            xlabel: try a.string("xlabel", default: ""), ylabel: try a.string("ylabel", default: "count"))
        return try renderPlot(spec, a, interp)
    }
    r.register("scatter(x, y, \(common))", domain: d, summary: "Scatter plot of points (x[i], y[i]).",
               example: "scatter(psnr, ssim, xlabel: \"PSNR\", ylabel: \"SSIM\", to: \"Plots/scatter.png\")") { a, interp in
        let xs = try plotSeries(try a.required("x"), "scatter", "x").series
        let ys = try plotSeries(try a.required("y"), "scatter", "y").series
        guard xs.count == 1, ys.count == 1 else { throw ScriptError(.argument, "scatter: x and y must each be one list of numbers") }
        guard xs[0].y.count == ys[0].y.count else {
            throw ScriptError(.value, "scatter: x has \(xs[0].y.count) values but y has \(ys[0].y.count)")
        }
        let spec = PlotSpec(kind: .scatter, series: [PlotSeries(title: "points", x: xs[0].y, y: ys[0].y)],
                            title: try a.string("title", default: ""), xlabel: try a.string("xlabel", default: ""),
                            ylabel: try a.string("ylabel", default: ""))
        return try renderPlot(spec, a, interp)
    }
}
