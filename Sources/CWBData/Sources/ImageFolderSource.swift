import Foundation
import CWBImaging

/// Lists image files (.png, .jpg, .jpeg) under a folder, recursively, sorted by relative path.
func listImages(in folder: String) throws -> [String] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
        throw DataError("\(folder): no such folder")
    }
    guard let walker = FileManager.default.enumerator(atPath: folder) else { throw DataError("\(folder): cannot list") }
    var found: [String] = []
    while let rel = walker.nextObject() as? String {
        let last = (rel as NSString).lastPathComponent
        if last.hasPrefix(".") { continue }
        if ImageFormat.fromExtension(of: rel) != nil { found.append(rel) }
    }
    return found.sorted()
}

/// A folder of colour images: the target is each image, its L the input.
public struct ImageFolderSource: SampleSource {
    public let root: String
    /// Paths relative to `root`, sorted.
    public let files: [String]
    public let readOptions: ImageReadOptions

    public init(_ root: String, readOptions: ImageReadOptions = ImageReadOptions()) throws {
        self.root = root
        self.readOptions = readOptions
        files = try listImages(in: root)
        guard !files.isEmpty else { throw DataError("\(root): no .png/.jpg/.jpeg images in this folder") }
    }

    public var count: Int { files.count }
    public func name(at index: Int) -> String { files[index] }

    public func sample(at index: Int) throws -> SourceSample {
        try checkIndex(index)
        return .rgb(try RGBImage.load((root as NSString).appendingPathComponent(files[index]), options: readOptions))
    }
}

/// The study's landscape layout: `gray/` and `color/` folders under `root`, files matched by
/// name without extension (so gray PNG + colour JPEG pairs match too). L comes from the gray
/// image (resized to the colour image's size if they differ), ab from the colour image.
public struct PairedFolderSource: SampleSource {
    public let root: String
    public let pairs: [(gray: String, color: String)]
    /// Files present on one side only (reported, not used).
    public let unmatched: [String]
    public let readOptions: ImageReadOptions

    public init(_ root: String, readOptions: ImageReadOptions = ImageReadOptions()) throws {
        self.root = root
        self.readOptions = readOptions
        let gray = try listImages(in: (root as NSString).appendingPathComponent("gray"))
        let color = try listImages(in: (root as NSString).appendingPathComponent("color"))
        func stem(_ p: String) -> String { (p as NSString).deletingPathExtension }
        let colorByStem = Dictionary(color.map { (stem($0), $0) }, uniquingKeysWith: { a, _ in a })
        let grayStems = Set(gray.map(stem))
        pairs = gray.compactMap { g in colorByStem[stem(g)].map { (g, $0) } }
        unmatched = gray.filter { colorByStem[stem($0)] == nil }.map { "gray/" + $0 }
            + color.filter { !grayStems.contains(stem($0)) }.map { "color/" + $0 }
        guard !pairs.isEmpty else { throw DataError("\(root): no file in gray/ has a partner of the same name in color/") }
    }

    public var count: Int { pairs.count }
    public func name(at index: Int) -> String { pairs[index].color }

    public func sample(at index: Int) throws -> SourceSample {
        try checkIndex(index)
        let color = try RGBImage.load((root as NSString).appendingPathComponent("color/" + pairs[index].color), options: readOptions)
        var gray = try RGBImage.load((root as NSString).appendingPathComponent("gray/" + pairs[index].gray), options: readOptions)
        if gray.width != color.width || gray.height != color.height {
            gray = try gray.resized(width: color.width, height: color.height)
        }
        let target = LabImage(rgb: color)
        return .lab(try LabImage(width: color.width, height: color.height, l: LabImage(rgb: gray.grayscale()).l, ab: target.ab))
    }
}
