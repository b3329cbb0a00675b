import Foundation

/// Which SSIM: scikit-image's default (7×7 uniform window, sample covariance), or Wang et al.
/// 2004's (11×11 Gaussian σ = 1.5, population covariance), both on data range 255, per channel
/// and averaged over R, G, B.
public enum SSIMVariant: String, Sendable {
    case uniform7
    case gaussian11

    var window: [Double] {
        switch self {
        case .uniform7: return [Double](repeating: 1.0 / 7, count: 7)
        case .gaussian11:
            // scipy.ndimage.gaussian_filter with sigma 1.5, truncate 3.5: radius 5.
            let sigma = 1.5, r = 5
            let w = (-r...r).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
            let s = w.reduce(0, +)
            return w.map { $0 / s }
        }
    }

    var covarianceNorm: Double {
        switch self {
        case .uniform7: return 49.0 / 48.0
        case .gaussian11: return 1.0
        }
    }
}

extension Metrics {
    /// Mean SSIM of two same-sized RGB images, as
    /// `structural_similarity(a, b, channel_axis=-1, data_range=255)` (uniform7) or with
    /// `gaussian_weights=True, sigma=1.5, use_sample_covariance=False` (gaussian11).
    public static func ssim(_ truth: RGBImage, _ test: RGBImage, variant: SSIMVariant = .uniform7) throws -> Double {
        try checkSameSize(truth, test, "SSIM")
        let win = variant.window
        guard truth.width >= win.count, truth.height >= win.count else {
            throw ImageError("SSIM (\(variant.rawValue)) needs images at least \(win.count)x\(win.count), got \(truth.width)x\(truth.height)")
        }
        var total = 0.0
        for c in 0..<3 {
            total += ssimPlane(channel(truth, c), channel(test, c), width: truth.width, height: truth.height,
                               window: win, covNorm: variant.covarianceNorm)
        }
        return total / 3
    }

    static func channel(_ img: RGBImage, _ c: Int) -> [Double] {
        var out = [Double](repeating: 0, count: img.pixelCount)
        img.pixels.withUnsafeBufferPointer { p in
            for i in 0..<out.count { out[i] = Double(p[3 * i + c]) }
        }
        return out
    }

    static func ssimPlane(_ x: [Double], _ y: [Double], width w: Int, height h: Int, window: [Double], covNorm: Double) -> Double {
        let n = w * h
        var xx = [Double](repeating: 0, count: n), yy = xx, xy = xx
        for i in 0..<n { xx[i] = x[i] * x[i]; yy[i] = y[i] * y[i]; xy[i] = x[i] * y[i] }
        let f = SeparableFilter(width: w, height: h, window: window)
        let ux = f.apply(x), uy = f.apply(y), uxx = f.apply(xx), uyy = f.apply(yy), uxy = f.apply(xy)
        let c1 = (0.01 * 255.0) * (0.01 * 255.0), c2 = (0.03 * 255.0) * (0.03 * 255.0)
        let pad = (window.count - 1) / 2
        var sum = 0.0
        ux.withUnsafeBufferPointer { ux in uy.withUnsafeBufferPointer { uy in
            uxx.withUnsafeBufferPointer { uxx in uyy.withUnsafeBufferPointer { uyy in uxy.withUnsafeBufferPointer { uxy in
                for row in pad..<(h - pad) {
                    for col in pad..<(w - pad) {
                        let i = row * w + col
                        let vx = covNorm * (uxx[i] - ux[i] * ux[i])
                        let vy = covNorm * (uyy[i] - uy[i] * uy[i])
                        let vxy = covNorm * (uxy[i] - ux[i] * uy[i])
                        let a1 = 2 * ux[i] * uy[i] + c1, a2 = 2 * vxy + c2
                        let b1 = ux[i] * ux[i] + uy[i] * uy[i] + c1, b2 = vx + vy + c2
                        sum += (a1 * a2) / (b1 * b2)
                    }
                }
            } } }
        } }
        return sum / Double((h - 2 * pad) * (w - 2 * pad))
    }

    /// scipy.ndimage's 'reflect' boundary (d c b a | a b c d | d c b a).
    @inline(__always) static func reflect(_ i: Int, _ n: Int) -> Int {
        var i = i
        while i < 0 || i >= n {
            if i < 0 { i = -i - 1 }
            if i >= n { i = 2 * n - i - 1 }
        }
        return i
    }
}

/// Separable correlation with a window along rows then columns, scipy.ndimage's 'reflect'
/// boundary; the reflected indices are computed once per size, the loops run on raw buffers.
struct SeparableFilter {
    let width: Int, height: Int
    let window: [Double]
    let columns: [Int]   // for output x and tap k: source column rowIndex[x + k]
    let rows: [Int]

    init(width: Int, height: Int, window: [Double]) {
        let r = (window.count - 1) / 2
        self.width = width
        self.height = height
        self.window = window
        columns = (-r..<(width + r)).map { Metrics.reflect($0, width) }
        rows = (-r..<(height + r)).map { Metrics.reflect($0, height) }
    }

    func apply(_ src: [Double]) -> [Double] {
        let (w, h, k) = (width, height, window.count)
        var tmp = [Double](repeating: 0, count: w * h), out = tmp
        src.withUnsafeBufferPointer { s in
            tmp.withUnsafeMutableBufferPointer { t in
                window.withUnsafeBufferPointer { win in
                    columns.withUnsafeBufferPointer { cols in
                        for y in 0..<h {
                            let srow = s.baseAddress! + y * w, trow = t.baseAddress! + y * w
                            for x in 0..<w {
                                var acc = 0.0
                                for j in 0..<k { acc += win[j] * srow[cols[x + j]] }
                                trow[x] = acc
                            }
                        }
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                window.withUnsafeBufferPointer { win in
                    rows.withUnsafeBufferPointer { rws in
                        for y in 0..<h {
                            let orow = o.baseAddress! + y * w
                            for j in 0..<k {
                                let wj = win[j], trow = t.baseAddress! + rws[y + j] * w
                                for x in 0..<w { orow[x] += wj * trow[x] }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
