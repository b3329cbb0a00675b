import CWBCore
import Foundation

/// File formats cwb reads and writes.
public enum ImageFormat: String, Sendable {
    case png, jpeg

    /// The format a path's extension names (.png, .jpg, .jpeg), or nil.
    public static func fromExtension(of path: String) -> ImageFormat? {
        switch (path as NSString).pathExtension.lowercased() {
        case "png": return .png
        case "jpg", "jpeg": return .jpeg
        default: return nil
        }
    }

    /// Recognised from the first bytes (never from the name).
    static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.count >= 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        return nil
    }
}

/// How images are read: a pixel limit (decompression bombs are refused from the header,
/// before any pixel is decoded) and whether a JPEG cut short is tolerated.
public struct ImageReadOptions: Sendable {
    public var maxPixels: Int
    /// false (default): any libjpeg warning — a truncated or corrupt stream — is an error.
    public var allowTruncatedJPEG: Bool
    public init(maxPixels: Int = ImageReadOptions.defaultMaxPixels, allowTruncatedJPEG: Bool = false) {
        self.maxPixels = maxPixels
        self.allowTruncatedJPEG = allowTruncatedJPEG
    }
    /// 128 megapixels: larger than any camera photo, far below what exhausts memory.
    public static let defaultMaxPixels = 128_000_000
}

extension RGBImage {
    /// Reads a PNG or JPEG (told apart by content). Alpha is composited onto white.
    /// An embedded ICC profile is not applied: values are taken as sRGB.
    public static func load(_ path: String, options: ImageReadOptions = ImageReadOptions()) throws -> RGBImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageError("\(path): cannot read file (missing or not readable)")
        }
        return try decode([UInt8](data), name: path, options: options)
    }

    /// Decodes PNG or JPEG bytes; `name` is used in error messages.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>",
                              options: ImageReadOptions = ImageReadOptions()) throws -> RGBImage {
        if bytes.isEmpty { throw ImageError("\(name): empty file, not an image") }
        switch ImageFormat.sniff(bytes) {
        case .png?: return try PNGCodec.decode(bytes, name: name, options: options)
        case .jpeg?: return try JPEGCodec.decode(bytes, name: name, options: options)
        case nil:
            let head = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw ImageError("\(name): not a PNG or JPEG file (starts with \(head))")
        }
    }

    /// Encodes to PNG or JPEG bytes. `quality` (1...100) is for JPEG only.
    public func encode(format: ImageFormat, quality: Int = 90) throws -> [UInt8] {
        switch format {
        case .png: return try PNGCodec.encode(self)
        case .jpeg: return try JPEGCodec.encode(self, quality: quality)
        }
    }

    /// Writes atomically (temp file in the same folder, then rename). The format is taken from
    /// the extension unless given.
    public func save(_ path: String, format: ImageFormat? = nil, quality: Int = 90) throws {
        guard let fmt = format ?? ImageFormat.fromExtension(of: path) else {
            throw ImageError("\(path): cannot tell the image format from the extension (use .png, .jpg or .jpeg)")
        }
        try AtomicFile.write(Data(try encode(format: fmt, quality: quality)), to: path)
    }
}

/// Temp file + rename, so no reader ever sees a half-written file.
