import CWBCore

/// A picture in CIE L*a*b*, planar Float: `l` (L in 0…100) and `ab` (the a plane then the b plane).
public struct LabImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var l: [Float]
    /// 2 * width * height values: all of a, then all of b.
    public var ab: [Float]

    public init(width: Int, height: Int, l: [Float], ab: [Float]) throws {
        guard width > 0, height > 0 else { throw ImageError("Lab image size \(width)x\(height) must be positive") }
        guard l.count == width * height, ab.count == 2 * width * height else {
            throw ImageError("\(width)x\(height) Lab image needs \(width * height) L and \(2 * width * height) ab values, got \(l.count) and \(ab.count)")
        }
        self.width = width
        self.height = height
        self.l = l
        self.ab = ab
    }

    init(validWidth width: Int, height: Int, l: [Float], ab: [Float]) {
        self.width = width
        self.height = height
        self.l = l
        self.ab = ab
    }

    public var pixelCount: Int { width * height }

    /// sRGB → Lab as skimage.color.rgb2lab on the image as float in [0, 1].
    public init(rgb: RGBImage) {
        let n = rgb.pixelCount
        var l = [Float](repeating: 0, count: n), ab = [Float](repeating: 0, count: 2 * n)
        let lin = LabConversion.linearOfByte
        let m = LabConversion.xyzFromRGB
        rgb.pixels.withUnsafeBufferPointer { p in
            lin.withUnsafeBufferPointer { lut in
                l.withUnsafeMutableBufferPointer { lp in
                    ab.withUnsafeMutableBufferPointer { abp in
                        // Large pictures (colorize at full resolution) use every core.
                        Parallel.forChunks(n, minChunk: 32_768) { range in
                            for i in range {
                                let (L, a, b) = LabConversion.lab(linearR: lut[Int(p[3 * i])], g: lut[Int(p[3 * i + 1])],
                                                                  b: lut[Int(p[3 * i + 2])], matrix: m)
                                lp[i] = Float(L); abp[i] = Float(a); abp[n + i] = Float(b)
                            }
                        }
                    }
                }
            }
        }
        self.width = rgb.width
        self.height = rgb.height
        self.l = l
        self.ab = ab
    }

    /// Lab → sRGB as skimage.color.lab2rgb (gamut clipped), then rounded to bytes.
    public func rgb() -> RGBImage {
        let n = pixelCount
        var out = [UInt8](repeating: 0, count: 3 * n)
        let m = LabConversion.rgbFromXYZ
        l.withUnsafeBufferPointer { lp in
            ab.withUnsafeBufferPointer { abp in
                out.withUnsafeMutableBufferPointer { o in
                    Parallel.forChunks(n, minChunk: 32_768) { range in
                        for i in range {
                            let (r, g, b) = LabConversion.rgb(l: Double(lp[i]), a: Double(abp[i]), b: Double(abp[n + i]), matrix: m)
                            o[3 * i] = LabConversion.byte(r); o[3 * i + 1] = LabConversion.byte(g); o[3 * i + 2] = LabConversion.byte(b)
                        }
                    }
                }
            }
        }
        return RGBImage(validWidth: width, height: height, pixels: out)
    }

    /// The same L with zero chroma: the **gray baseline** every report shows beside a model.
    public func withoutChroma() -> LabImage {
        var out = self
        out.ab = [Float](repeating: 0, count: ab.count)
        return out
    }

    /// Decodes OpenCV's 8-bit Lab encoding (L·255/100, a+128, b+128): `l8` one byte per pixel,
    /// `ab8` interleaved a,b bytes per pixel (the study's `.npy` layout).
    public init(openCVL l8: UnsafeBufferPointer<UInt8>, ab8: UnsafeBufferPointer<UInt8>, width: Int, height: Int) throws {
        let n = width * height
        guard l8.count == n, ab8.count == 2 * n else {
            throw ImageError("OpenCV Lab \(width)x\(height) needs \(n) L and \(2 * n) ab bytes, got \(l8.count) and \(ab8.count)")
        }
        var l = [Float](repeating: 0, count: n), ab = [Float](repeating: 0, count: 2 * n)
        for i in 0..<n {
            l[i] = Float(l8[i]) * (100 / 255)
            ab[i] = Float(ab8[2 * i]) - 128
            ab[n + i] = Float(ab8[2 * i + 1]) - 128
        }
        try self.init(width: width, height: height, l: l, ab: ab)
    }
}
