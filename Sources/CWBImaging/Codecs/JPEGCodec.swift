import CJPEGShim

/// JPEG through libjpeg-turbo via the C shim (which turns libjpeg's longjmp errors into codes).
/// Baseline, progressive, gray and any chroma subsampling are read, always as RGB.
enum JPEGCodec {
    static func decode(_ bytes: [UInt8], name: String, options: ImageReadOptions) throws -> RGBImage {
        var pixels: UnsafeMutablePointer<UInt8>? = nil
        var width: Int32 = 0, height: Int32 = 0, components: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { b in
            cwb_jpeg_decode(b.baseAddress, b.count, Int64(options.maxPixels), options.allowTruncatedJPEG ? 0 : 1,
                            &pixels, &width, &height, &components, &message, message.count)
        }
        defer { cwb_jpeg_free(pixels) }
        guard status == 0, let p = pixels else {
            throw ImageError("\(name): bad JPEG (\(String(cString: message)))")
        }
        let n = Int(width) * Int(height) * 3
        return try RGBImage(width: Int(width), height: Int(height), pixels: Array(UnsafeBufferPointer(start: p, count: n)))
    }

    static func encode(_ img: RGBImage, quality: Int, chroma444: Bool = false, progressive: Bool = false) throws -> [UInt8] {
        guard (1...100).contains(quality) else { throw ImageError("JPEG quality \(quality) is not in 1...100") }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = img.pixels.withUnsafeBufferPointer { p in
            cwb_jpeg_encode(p.baseAddress, Int32(img.width), Int32(img.height), 3, Int32(quality),
                            chroma444 ? 1 : 0, progressive ? 1 : 0, &out, &size, &message, message.count)
        }
        defer { cwb_jpeg_free(out) }
        guard status == 0, let o = out else { throw ImageError("cannot encode JPEG (\(String(cString: message)))") }
        return Array(UnsafeBufferPointer(start: o, count: Int(size)))
    }
}
