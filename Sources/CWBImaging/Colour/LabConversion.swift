import Foundation

/// sRGB ↔ CIE L*a*b* (D65, 2° observer), the same arithmetic as scikit-image's
/// `rgb2lab` / `lab2rgb` (float64, its matrix, its thresholds, its clipping of z < 0 and of
/// RGB to [0, 1]).
public enum LabConversion {
    /// A 3×3 matrix as nine stored constants: hot loops copy it to a local once (a static
    /// array read per pixel costs a lazy-init check, a retain and bounds checks).
    struct Matrix3 {
        let m: (Double, Double, Double, Double, Double, Double, Double, Double, Double)
        init(_ a: [Double]) { m = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]) }
        var array: [Double] { [m.0, m.1, m.2, m.3, m.4, m.5, m.6, m.7, m.8] }
        @inline(__always) func apply(_ x: Double, _ y: Double, _ z: Double) -> (Double, Double, Double) {
            (m.0 * x + m.1 * y + m.2 * z, m.3 * x + m.4 * y + m.5 * z, m.6 * x + m.7 * y + m.8 * z)
        }
    }

    // skimage.color.colorconv.xyz_from_rgb
    static let xyzFromRGB = Matrix3([0.412453, 0.357580, 0.180423,
                                     0.212671, 0.715160, 0.072169,
                                     0.019334, 0.119193, 0.950227])
    // skimage uses linalg.inv(xyz_from_rgb); computed once here the same way.
    static let rgbFromXYZ = Matrix3(invert3x3(xyzFromRGB.array))
    // The D65 white point (0.95047, 1, 1.08883) is written into lab(…) and rgb(…) as literals.

    /// sRGB in [0, 1] → linear, for the 256 byte values (the only inputs from 8-bit images).
    static let linearOfByte: [Double] = (0..<256).map { linearize(Double($0) / 255) }

    @inline(__always) static func linearize(_ c: Double) -> Double {
        c > 0.04045 ? pow((c + 0.055) / 1.055, 2.4) : c / 12.92
    }

    @inline(__always) static func f(_ t: Double) -> Double {
        t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116.0
    }

    /// Lab of one pixel given its linear RGB.
    public static func lab(linearR r: Double, g: Double, b: Double) -> (Double, Double, Double) {
        lab(linearR: r, g: g, b: b, matrix: xyzFromRGB)
    }

    @inline(__always)
    static func lab(linearR r: Double, g: Double, b: Double, matrix: Matrix3) -> (Double, Double, Double) {
        let (x, y, z) = matrix.apply(r, g, b)
        let fx = f(x / 0.95047), fy = f(y), fz = f(z / 1.08883)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    /// Lab of an sRGB pixel with components in [0, 1].
    public static func lab(r: Double, g: Double, b: Double) -> (Double, Double, Double) {
        lab(linearR: linearize(r), g: linearize(g), b: linearize(b))
    }

    /// sRGB in [0, 1] (clipped, as skimage) of one Lab pixel.
    public static func rgb(l: Double, a: Double, b: Double) -> (Double, Double, Double) {
        rgb(l: l, a: a, b: b, matrix: rgbFromXYZ)
    }

    @inline(__always)
    static func rgb(l: Double, a: Double, b: Double, matrix: Matrix3) -> (Double, Double, Double) {
        let fy = (l + 16) / 116
        let fx = a / 500 + fy
        let fz = max(0, fy - b / 200)   // skimage clips negative z to 0 (with a warning)
        @inline(__always) func finv(_ t: Double) -> Double { t > 0.2068966 ? t * t * t : (t - 16.0 / 116.0) / 7.787 }
        let (r, g, bb) = matrix.apply(finv(fx) * 0.95047, finv(fy), finv(fz) * 1.08883)
        @inline(__always) func gamma(_ c: Double) -> Double {
            let v = c > 0.0031308 ? 1.055 * pow(c, 1 / 2.4) - 0.055 : c * 12.92
            return min(1, max(0, v))
        }
        return (gamma(r), gamma(g), gamma(bb))
    }

    static func invert3x3(_ m: [Double]) -> [Double] {
        let (a, b, c, d, e, f, g, h, i) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8])
        let A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g
        let det = a * A + b * B + c * C
        return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det,
                B / det, (a * i - c * g) / det, -(a * f - c * d) / det,
                C / det, -(a * h - b * g) / det, (a * e - b * d) / det]
    }

    /// A float in [0, 1] to a byte, rounded (as skimage's img_as_ubyte).
    @inline(__always) static func byte(_ v: Double) -> UInt8 { UInt8(min(255, max(0, v * 255 + 0.5))) }
}
