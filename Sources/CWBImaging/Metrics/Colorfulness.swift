import Foundation

extension Metrics {
    /// Colorfulness of Hasler & Süsstrunk (2003) on 0…255 values:
    /// rg = R − G, yb = (R + G)/2 − B, C = √(σ_rg² + σ_yb²) + 0.3 √(μ_rg² + μ_yb²),
    /// with population standard deviations. 0 for a gray image; ~15 "slightly colourful".
    public static func colorfulness(_ img: RGBImage) -> Double {
        var srg = 0.0, syb = 0.0, srg2 = 0.0, syb2 = 0.0
        img.pixels.withUnsafeBufferPointer { p in
            for i in 0..<img.pixelCount {
                let r = Double(p[3 * i]), g = Double(p[3 * i + 1]), b = Double(p[3 * i + 2])
                let rg = r - g, yb = 0.5 * (r + g) - b
                srg += rg; syb += yb; srg2 += rg * rg; syb2 += yb * yb
            }
        }
        let n = Double(img.pixelCount)
        let mrg = srg / n, myb = syb / n
        let vrg = max(0, srg2 / n - mrg * mrg), vyb = max(0, syb2 / n - myb * myb)
        return (vrg + vyb).squareRoot() + 0.3 * (mrg * mrg + myb * myb).squareRoot()
    }
}
