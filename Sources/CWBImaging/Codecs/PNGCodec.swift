import CPNG
import Foundation

/// PNG through libpng's simplified API, which reports errors as messages (no longjmp).
/// Every colour type and bit depth is read (palette, gray 1–16 bit, alpha, interlaced);
/// 16-bit files without gamma information are taken as sRGB-encoded, not linear.
enum PNGCodec {
    static func decode(_ bytes: [UInt8], name: String, options: ImageReadOptions) throws -> RGBImage {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let began = bytes.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard began != 0 else { throw ImageError("\(name): invalid PNG (\(message(of: image)))") }
        let width = Int(image.width), height = Int(image.height)
        guard width * height <= options.maxPixels else {
            throw ImageError("\(name): PNG of \(width)x\(height) pixels exceeds the limit of \(options.maxPixels) pixels")
        }
        image.flags |= cwb_png_flag_16bit_srgb
        if image.format & png_uint_32(PNG_FORMAT_FLAG_LINEAR) != 0 {
            return try decode16Bit(&image, bytes, name: name)
        }
        image.format = cwb_png_format_rgba
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let finished = bytes.withUnsafeBytes { _ in   // the memory source must stay alive until here
            rgba.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, 0, nil)
            }
        }
        guard finished != 0 else { throw ImageError("\(name): corrupt PNG (\(message(of: image)))") }
        return try RGBImage(width: width, height: height, pixels: compositeOnWhite(rgba))
    }

    /// 16-bit files: libpng 1.6.39's 8-bit output scrambles the rows of interlaced ones, so
    /// they are read as 16-bit linear premultiplied RGBA and re-encoded here with the inverse
    /// of libpng's own linearisation (a pure 2.2 power for files without gamma information).
    private static func decode16Bit(_ image: inout png_image, _ bytes: [UInt8], name: String) throws -> RGBImage {
        image.format = cwb_png_format_linear_rgba
        let n = Int(image.width) * Int(image.height)
        var linear = [UInt16](repeating: 0, count: n * 4)
        let finished = bytes.withUnsafeBytes { _ in
            linear.withUnsafeMutableBytes { out in png_image_finish_read(&image, nil, out.baseAddress, 0, nil) }
        }
        guard finished != 0 else { throw ImageError("\(name): corrupt PNG (\(message(of: image)))") }
        var rgba = [UInt8](repeating: 0, count: n * 4)
        for i in 0..<n {
            let a = Double(linear[4 * i + 3]) / 65535
            for c in 0..<3 {
                let lin = a > 0 ? min(1, Double(linear[4 * i + c]) / 65535 / a) : 0
                let s = pow(lin, 1 / 2.2)
                rgba[4 * i + c] = UInt8(min(255, max(0, s * 255 + 0.5)))
            }
            rgba[4 * i + 3] = UInt8(a * 255 + 0.5)
        }
        return try RGBImage(width: Int(image.width), height: Int(image.height), pixels: compositeOnWhite(rgba))
    }

    /// Straight alpha over a white background, in 8-bit sRGB values, rounded.
    static func compositeOnWhite(_ rgba: [UInt8]) -> [UInt8] {
        let n = rgba.count / 4
        var out = [UInt8](repeating: 0, count: n * 3)
        rgba.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<n {
                    let a = Int(s[4 * i + 3])
                    for c in 0..<3 {
                        let v = Int(s[4 * i + c])
                        o[3 * i + c] = a == 255 ? UInt8(v) : UInt8((v * a + 255 * (255 - a) + 127) / 255)
                    }
                }
            }
        }
        return out
    }

    static func encode(_ img: RGBImage) throws -> [UInt8] {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(img.width)
        image.height = png_uint_32(img.height)
        image.format = cwb_png_format_rgb
        defer { png_image_free(&image) }
        var size: png_alloc_size_t = 0
        // First call measures, second writes.
        let measured = img.pixels.withUnsafeBytes { p in
            png_image_write_to_memory(&image, nil, &size, 0, p.baseAddress, 0, nil)
        }
        guard measured != 0, size > 0 else { throw ImageError("cannot encode PNG (\(message(of: image)))") }
        var out = [UInt8](repeating: 0, count: Int(size))
        let written = img.pixels.withUnsafeBytes { p in
            out.withUnsafeMutableBytes { o in
                png_image_write_to_memory(&image, o.baseAddress, &size, 0, p.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw ImageError("cannot encode PNG (\(message(of: image)))") }
        return Array(out.prefix(Int(size)))
    }

    private static func message(of image: png_image) -> String {
        var m = image.message
        return withUnsafeBytes(of: &m) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
