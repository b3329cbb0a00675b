import CWBCore
import Foundation

/// The one way a tensor prints, everywhere (REPL, print, notebooks, reports): a header with
/// shape, dtype and min/mean/max, then a few values, aligned, with `…` where rows are cut —
/// in the spirit of Torch7's printing.
public enum TensorFormat {
    /// Rows and columns shown at each end before eliding the middle.
    static let edge = 3

    public static func header(_ t: Tensor) -> String {
        var s = "tensor " + shapeText(t.shape) + " float32"
        if t.count > 0 {
            let stats = statistics(t)
            s += "  min \(short(stats.min))  mean \(short(stats.mean))  max \(short(stats.max))"
        }
        if let op = t.opName { s += "  (grad_fn: \(op))" } else if t.requiresGrad { s += "  (requires_grad)" }
        return s
    }

    public static func describe(_ t: Tensor) -> String {
        guard t.count > 0 else { return header(t) }
        if t.rank == 0 {
            var s = "tensor [] float32  " + values(t)
            if let op = t.opName { s += "  (grad_fn: \(op))" } else if t.requiresGrad { s += "  (requires_grad)" }
            return s
        }
        return header(t) + "\n" + values(t)
    }

    public static func shapeText(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    static func statistics(_ t: Tensor) -> (min: Double, mean: Double, max: Double) {
        let b = t.buffer
        var lo = Double.infinity, hi = -Double.infinity, sum = 0.0
        for v in b {
            let d = Double(v)
            lo = Swift.min(lo, d); hi = Swift.max(hi, d); sum += d
        }
        return (lo, sum / Double(b.count), hi)
    }

    /// A compact number for headers: 4 significant digits.
    static func short(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e6 { return String(Int64(v)) }
        return String(format: "%.4g", v)
    }

    /// The values: a scalar alone, a vector on one line, a matrix as rows; higher ranks show
    /// their first matrices, each under its leading indices.
    static func values(_ t: Tensor) -> String {
        let b = t.buffer
        let maxAbs = b.reduce(Float(0)) { Swift.max($0, Swift.abs($1)) }
        let scientific = maxAbs != 0 && (maxAbs >= 1e5 || maxAbs < 1e-3)
        let integral = b.allSatisfy { $0 == $0.rounded() && Swift.abs($0) < 1e6 }
        func cell(_ v: Float) -> String {
            if v.isNaN { return "nan" }
            if integral { return String(Int(v)) }
            return scientific ? String(format: "%.3e", v) : String(format: "%.4f", v)
        }
        if t.rank == 0 { return cell(b[0]) }
        let cols = t.shape[t.rank - 1]
        let rows = t.rank >= 2 ? t.shape[t.rank - 2] : 1
        let width = b.map { cell($0).count }.max() ?? 1
        func pad(_ s: String) -> String { String(repeating: " ", count: width - s.count) + s }
        func row(_ base: Int) -> String {
            let shown = elided(cols).map { $0.map { pad(cell(b[base + $0])) } ?? String(repeating: " ", count: width - 1) + "…" }
            return "[" + shown.joined(separator: " ") + "]"
        }
        if t.rank == 1 { return row(0) }
        let plane = rows * cols
        let planes = t.count / plane
        var out: [String] = []
        let leadShape = Array(t.shape.dropLast(2))
        for pi in elided(planes) {
            guard let pi else { out.append("…"); continue }
            if t.rank > 2 {
                var idx: [Int] = [], rest = pi
                for d in leadShape.reversed() { idx.insert(rest % d, at: 0); rest /= d }
                out.append("(" + idx.map(String.init).joined(separator: ", ") + ", :, :)")
            }
            for r in elided(rows) {
                out.append(r.map { row(pi * plane + $0 * cols) } ?? " …")
            }
            if t.rank > 2, planes > 1, out.count > 40 { out.append("…"); break }
        }
        return out.joined(separator: "\n")
    }

    /// Indices 0..<n with the middle replaced by nil when n is large.
    static func elided(_ n: Int) -> [Int?] {
        if n <= 2 * edge + 1 { return Array(0..<n) }
        return Array(0..<edge) + [nil] + Array((n - edge)..<n)
    }
}
