import CWBCore

/// Training augmentation, seeded: a random square crop whose side is a random fraction
/// (`minScale`…`maxScale`) of the shorter side, at a random place, resized to size×size,
/// then flipped left-right with probability `flipProbability`. Without randomness
/// (`evaluation`) it is a centred square crop resized to size×size.
public struct Augmentation: Sendable, Equatable {
    public var size: Int
    public var minScale: Double
    public var maxScale: Double
    public var flipProbability: Double

    public init(size: Int, minScale: Double = 0.6, maxScale: Double = 1.0, flipProbability: Double = 0.5) throws {
        guard size > 0 else { throw ImageError("augmentation size \(size) must be positive") }
        guard 0 < minScale, minScale <= maxScale, maxScale <= 1 else {
            throw ImageError("augmentation scales need 0 < minScale <= maxScale <= 1, got \(minScale)...\(maxScale)")
        }
        guard (0...1).contains(flipProbability) else { throw ImageError("flip probability \(flipProbability) is not in 0...1") }
        self.size = size
        self.minScale = minScale
        self.maxScale = maxScale
        self.flipProbability = flipProbability
    }

    /// The random crop and flip for an image of the given size.
    public func draw(width: Int, height: Int, generator: RandomGenerator) -> (PixelRect, Bool) {
        let short = min(width, height)
        let scale = minScale + (maxScale - minScale) * generator.nextDouble()
        let side = max(1, min(short, Int((Double(short) * scale).rounded())))
        let x = generator.nextInt(width - side + 1), y = generator.nextInt(height - side + 1)
        let flip = generator.nextDouble() < flipProbability
        return (PixelRect(x: x, y: y, width: side, height: side), flip)
    }

    public func apply<I: ResizableImage>(_ image: I, generator: RandomGenerator) throws -> I {
        let (rect, flip) = draw(width: image.width, height: image.height, generator: generator)
        let out = try image.cropped(rect).resized(width: size, height: size)
        return flip ? out.flippedHorizontally() : out
    }

    /// The deterministic view for validation: centred square, resized.
    public static func evaluation<I: ResizableImage>(_ image: I, size: Int) throws -> I {
        let side = min(image.width, image.height)
        return try image.centerCropped(width: side, height: side).resized(width: size, height: size)
    }
}
