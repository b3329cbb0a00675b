/// An 8-bit sRGB picture, pixels interleaved RGBRGB… row by row.
///
/// Colour-managed inputs are not converted: an embedded ICC profile is ignored and the values
/// are taken as sRGB.
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// width * height * 3 bytes, row-major, interleaved RGB.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0 else { throw ImageError("image size \(width)x\(height) must be positive") }
        guard pixels.count == width * height * 3 else {
            throw ImageError("\(width)x\(height) RGB image needs \(width * height * 3) bytes, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A uniform image.
    public init(width: Int, height: Int, red: UInt8 = 0, green: UInt8 = 0, blue: UInt8 = 0) throws {
        guard width > 0, height > 0 else { throw ImageError("image size \(width)x\(height) must be positive") }
        var p = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { p[3 * i] = red; p[3 * i + 1] = green; p[3 * i + 2] = blue }
        self.width = width
        self.height = height
        self.pixels = p
    }

    /// Gray pixels (one byte each) repeated into the three channels.
    public init(width: Int, height: Int, gray: [UInt8]) throws {
        guard gray.count == width * height, width > 0, height > 0 else {
            throw ImageError("\(width)x\(height) gray image needs \(width * height) bytes, got \(gray.count)")
        }
        var p = [UInt8](repeating: 0, count: gray.count * 3)
        for i in 0..<gray.count { p[3 * i] = gray[i]; p[3 * i + 1] = gray[i]; p[3 * i + 2] = gray[i] }
        self.width = width
        self.height = height
        self.pixels = p
    }

    /// For sizes the caller has already made consistent.
    init(validWidth width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public var pixelCount: Int { width * height }

    /// (r, g, b) at column x, row y; no bounds check beyond the array's.
    public func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = 3 * (y * width + x)
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Channels swapped to BGR order (OpenCV's), or back: the operation is its own inverse.
    public func swappedRB() -> RGBImage {
        var out = self
        out.pixels.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < p.count { p.swapAt(i, i + 2); i += 3 }
        }
        return out
    }

    /// ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B, rounded), one byte per pixel, as
    /// OpenCV's and Pillow's RGB→gray.
    public func luma() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: pixelCount)
        pixels.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<o.count {
                    let v = 0.299 * Float(p[3 * i]) + 0.587 * Float(p[3 * i + 1]) + 0.114 * Float(p[3 * i + 2])
                    o[i] = UInt8(min(255, v + 0.5))
                }
            }
        }
        return out
    }

    /// The luma gray image in three channels.
    public func grayscale() -> RGBImage {
        let g = luma()
        var p = [UInt8](repeating: 0, count: 3 * g.count)
        for i in 0..<g.count { p[3 * i] = g[i]; p[3 * i + 1] = g[i]; p[3 * i + 2] = g[i] }
        return RGBImage(validWidth: width, height: height, pixels: p)
    }
}
