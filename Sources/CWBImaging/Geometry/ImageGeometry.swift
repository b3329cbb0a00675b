/// A rectangle of pixels: origin (x, y) at the top left, size width × height.
public struct PixelRect: Equatable, Sendable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
}

/// What crops, resizes and flips need; RGBImage and LabImage both have it, so one
/// augmentation pipeline serves both.
public protocol ResizableImage: Sendable {
    var width: Int { get }
    var height: Int { get }
    func cropped(_ rect: PixelRect) throws -> Self
    /// Area averaging when shrinking, bilinear when enlarging (per axis).
    func resized(width: Int, height: Int) throws -> Self
    func flippedHorizontally() -> Self
    func flippedVertically() -> Self
}

extension ResizableImage {
    /// The largest centred crop of the given size (or the whole image along an axis that is
    /// smaller than asked).
    public func centerCropped(width w: Int, height h: Int) throws -> Self {
        guard w > 0, h > 0 else { throw ImageError("center crop size \(w)x\(h) must be positive") }
        let cw = min(w, width), ch = min(h, height)
        return try cropped(PixelRect(x: (width - cw) / 2, y: (height - ch) / 2, width: cw, height: ch))
    }

    /// Resized so the shorter side is `side`, keeping the aspect ratio.
    public func resized(shorterSide side: Int) throws -> Self {
        guard side > 0 else { throw ImageError("shorter side \(side) must be positive") }
        if width <= height {
            return try resized(width: side, height: max(1, Int((Double(height) * Double(side) / Double(width)).rounded())))
        }
        return try resized(width: max(1, Int((Double(width) * Double(side) / Double(height)).rounded())), height: side)
    }

    func checkCrop(_ r: PixelRect) throws {
        guard r.width > 0, r.height > 0, r.x >= 0, r.y >= 0, r.x + r.width <= width, r.y + r.height <= height else {
            throw ImageError("crop \(r.width)x\(r.height) at (\(r.x), \(r.y)) does not fit in a \(width)x\(height) image")
        }
    }

    func checkSize(_ w: Int, _ h: Int) throws {
        guard w > 0, h > 0 else { throw ImageError("resize to \(w)x\(h): sizes must be positive") }
    }
}

/// Copies a rectangle out of a row-major plane with `c` interleaved values per pixel.
func cropPlane<T>(_ src: [T], width: Int, channels c: Int, _ r: PixelRect) -> [T] {
    var out: [T] = []
    out.reserveCapacity(r.width * r.height * c)
    for y in r.y..<(r.y + r.height) {
        let start = (y * width + r.x) * c
        out.append(contentsOf: src[start..<(start + r.width * c)])
    }
    return out
}

/// Mirrors a plane left-right (`horizontal`) or top-bottom.
func flipPlane<T>(_ src: [T], width: Int, height: Int, channels c: Int, horizontal: Bool) -> [T] {
    var out = src
    for y in 0..<height {
        for x in 0..<width {
            let sx = horizontal ? width - 1 - x : x, sy = horizontal ? y : height - 1 - y
            for ch in 0..<c { out[(y * width + x) * c + ch] = src[(sy * width + sx) * c + ch] }
        }
    }
    return out
}

extension RGBImage: ResizableImage {
    public func cropped(_ rect: PixelRect) throws -> RGBImage {
        try checkCrop(rect)
        return RGBImage(validWidth: rect.width, height: rect.height, pixels: cropPlane(pixels, width: width, channels: 3, rect))
    }

    public func resized(width ow: Int, height oh: Int) throws -> RGBImage {
        try checkSize(ow, oh)
        if ow == width && oh == height { return self }
        let f = pixels.map(Float.init)
        let r = f.withUnsafeBufferPointer {
            Resampler.resample($0, width: width, height: height, channels: 3, toWidth: ow, toHeight: oh)
        }
        return RGBImage(validWidth: ow, height: oh, pixels: r.map { UInt8(min(255, max(0, $0 + 0.5))) })
    }

    public func flippedHorizontally() -> RGBImage {
        RGBImage(validWidth: width, height: height, pixels: flipPlane(pixels, width: width, height: height, channels: 3, horizontal: true))
    }

    public func flippedVertically() -> RGBImage {
        RGBImage(validWidth: width, height: height, pixels: flipPlane(pixels, width: width, height: height, channels: 3, horizontal: false))
    }
}

extension LabImage: ResizableImage {
    private var planes: [[Float]] { [l, Array(ab[0..<pixelCount]), Array(ab[pixelCount...])] }

    private static func fromPlanes(_ p: [[Float]], _ w: Int, _ h: Int) -> LabImage {
        LabImage(validWidth: w, height: h, l: p[0], ab: p[1] + p[2])
    }

    public func cropped(_ rect: PixelRect) throws -> LabImage {
        try checkCrop(rect)
        return .fromPlanes(planes.map { cropPlane($0, width: width, channels: 1, rect) }, rect.width, rect.height)
    }

    public func resized(width ow: Int, height oh: Int) throws -> LabImage {
        try checkSize(ow, oh)
        if ow == width && oh == height { return self }
        return .fromPlanes(planes.map { p in
            p.withUnsafeBufferPointer { Resampler.resample($0, width: width, height: height, channels: 1, toWidth: ow, toHeight: oh) }
        }, ow, oh)
    }

    public func flippedHorizontally() -> LabImage {
        .fromPlanes(planes.map { flipPlane($0, width: width, height: height, channels: 1, horizontal: true) }, width, height)
    }

    public func flippedVertically() -> LabImage {
        .fromPlanes(planes.map { flipPlane($0, width: width, height: height, channels: 1, horizontal: false) }, width, height)
    }
}
