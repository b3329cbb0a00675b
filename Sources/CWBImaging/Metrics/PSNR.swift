import Foundation

public enum Metrics {
    /// PSNR in dB of two same-sized RGB images, data range 255, mean squared error over every
    /// byte (as skimage.metrics.peak_signal_noise_ratio). Identical images give +infinity.
    public static func psnr(_ truth: RGBImage, _ test: RGBImage) throws -> Double {
        try checkSameSize(truth, test, "PSNR")
        var sum = 0.0
        truth.pixels.withUnsafeBufferPointer { a in
            test.pixels.withUnsafeBufferPointer { b in
                var acc: Int = 0
                for i in 0..<a.count { let d = Int(a[i]) - Int(b[i]); acc += d * d }
                sum = Double(acc)
            }
        }
        let mse = sum / Double(truth.pixels.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }

    static func checkSameSize(_ a: RGBImage, _ b: RGBImage, _ what: String) throws {
        guard a.width == b.width, a.height == b.height else {
            throw ImageError("\(what) needs images of one size, got \(a.width)x\(a.height) and \(b.width)x\(b.height)")
        }
    }
}
