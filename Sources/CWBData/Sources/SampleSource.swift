import CWBCore
import CWBImaging

/// One sample as its source holds it: a colour picture, or Lab already (npy, paired folders).
public enum SourceSample: Sendable {
    case rgb(RGBImage)
    case lab(LabImage)

    public var width: Int { switch self { case .rgb(let i): return i.width; case .lab(let i): return i.width } }
    public var height: Int { switch self { case .rgb(let i): return i.height; case .lab(let i): return i.height } }

    public var labImage: LabImage { switch self { case .rgb(let i): return LabImage(rgb: i); case .lab(let i): return i } }
    public var rgbImage: RGBImage { switch self { case .rgb(let i): return i; case .lab(let i): return i.rgb() } }

    /// Lab at size×size: `augmentation` drawn from `generator`, or the centred square.
    /// Geometry happens before the Lab conversion, at the small size.
    public func lab(size: Int, augmentation: Augmentation?, generator: RandomGenerator) throws -> LabImage {
        switch self {
        case .rgb(let i):
            let small = try augmentation.map { try $0.apply(i, generator: generator) } ?? Augmentation.evaluation(i, size: size)
            return LabImage(rgb: small)
        case .lab(let i):
            return try augmentation.map { try $0.apply(i, generator: generator) } ?? Augmentation.evaluation(i, size: size)
        }
    }
}

/// A numbered collection of training samples. Loading must be safe from several threads.
public protocol SampleSource: Sendable {
    var count: Int { get }
    /// A name for sample `index` (file name, or file:row for arrays).
    func name(at index: Int) -> String
    func sample(at index: Int) throws -> SourceSample
}

extension SampleSource {
    /// Sample `index` in Lab, at its own size or (with `size`) centre-cropped to a square and
    /// resized to size×size.
    public func lab(at index: Int, size: Int? = nil) throws -> LabImage {
        let s = try sample(at: index)
        guard let size else { return s.labImage }
        return try s.lab(size: size, augmentation: nil, generator: RandomGenerator(seed: 0))
    }

    func checkIndex(_ index: Int) throws {
        guard (0..<count).contains(index) else { throw DataError("sample \(index) out of range 0..<\(count)") }
    }
}
