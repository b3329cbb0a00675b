import CWBCore

/// The boundary between pictures and the network: model input is L/50 − 1 in [−1, 1],
/// target/output is ab/110 (the tanh range). Tensors are NCHW: L [N,1,H,W], ab [N,2,H,W].
public enum LabTensors {
    public static let lScale: Float = 50
    public static let abScale: Float = 110

    /// Stacks L/50 − 1 of same-sized images into [N,1,H,W].
    public static func lTensor(_ images: [LabImage]) throws -> Tensor {
        let (w, h) = try commonSize(images)
        let n = w * h
        let storage = Storage(uninitializedCount: images.count * n)
        for (k, img) in images.enumerated() {
            img.l.withUnsafeBufferPointer { src in
                let dst = storage.pointer + k * n
                for i in 0..<n { dst[i] = src[i] / lScale - 1 }
            }
        }
        return Tensor(shape: [images.count, 1, h, w], storage: storage)
    }

    /// Stacks ab/110 of same-sized images into [N,2,H,W].
    public static func abTensor(_ images: [LabImage]) throws -> Tensor {
        let (w, h) = try commonSize(images)
        let n = 2 * w * h
        let storage = Storage(uninitializedCount: images.count * n)
        for (k, img) in images.enumerated() {
            img.ab.withUnsafeBufferPointer { src in
                let dst = storage.pointer + k * n
                for i in 0..<n { dst[i] = src[i] / abScale }
            }
        }
        return Tensor(shape: [images.count, 2, h, w], storage: storage)
    }

    /// Image `index` of a batch back to Lab: L from [N,1,H,W] (L/50 − 1) and ab from
    /// [N,2,H,W] (ab/110). L is clamped to 0…100.
    public static func labImage(l: Tensor, ab: Tensor, index: Int = 0) throws -> LabImage {
        guard l.rank == 4, l.shape[1] == 1, ab.rank == 4, ab.shape[1] == 2,
              l.shape[0] == ab.shape[0], l.shape[2] == ab.shape[2], l.shape[3] == ab.shape[3] else {
            throw ImageError("need L [N,1,H,W] and ab [N,2,H,W] of the same N, H, W; got L \(l.shape) and ab \(ab.shape)")
        }
        guard (0..<l.shape[0]).contains(index) else {
            throw ImageError("image index \(index) out of range for a batch of \(l.shape[0])")
        }
        let h = l.shape[2], w = l.shape[3], n = w * h
        let lp = l.pointer + index * n, ap = ab.pointer + index * 2 * n
        var lv = [Float](repeating: 0, count: n), abv = [Float](repeating: 0, count: 2 * n)
        for i in 0..<n { lv[i] = min(100, max(0, (lp[i] + 1) * lScale)) }
        for i in 0..<(2 * n) { abv[i] = ap[i] * abScale }
        return try LabImage(width: w, height: h, l: lv, ab: abv)
    }

    /// L and ab tensors → RGB image `index` (clipped as lab2rgb).
    public static func rgbImage(l: Tensor, ab: Tensor, index: Int = 0) throws -> RGBImage {
        try labImage(l: l, ab: ab, index: index).rgb()
    }

    private static func commonSize(_ images: [LabImage]) throws -> (Int, Int) {
        guard let first = images.first else { throw ImageError("cannot make a tensor from no images") }
        for (i, img) in images.enumerated() where img.width != first.width || img.height != first.height {
            throw ImageError("image \(i) is \(img.width)x\(img.height), image 0 is \(first.width)x\(first.height): a batch needs one size")
        }
        return (first.width, first.height)
    }
}
