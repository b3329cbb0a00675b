import CWBCore

/// Differentiable CIE Lab (D65) → sRGB in [0, 1], with scikit-image's `lab2rgb` formulas,
/// from the model's tensors: `luminance` N×1×H×W holding L/50 − 1 and `ab` N×2×H×W holding
/// ab/110. Returns N×3×H×W. Branches are clamped before powers so no NaN leaks into gradients.
public func labToRGB(luminance: Tensor, ab: Tensor) throws -> Tensor {
    guard luminance.rank == 4, luminance.shape[1] == 1, ab.rank == 4, ab.shape[1] == 2,
          luminance.shape[0] == ab.shape[0], luminance.shape[2...] == ab.shape[2...] else {
        throw TensorError("lab_to_rgb: need L N×1×H×W and ab N×2×H×W of the same N, H, W; got \(shapeText(luminance.shape)) and \(shapeText(ab.shape))")
    }
    let L = luminance.affine(scale: 50, shift: 50)
    let a = try ab.slice(axis: 1, start: 0, end: 1) * 110
    let b = try ab.slice(axis: 1, start: 1, end: 2) * 110
    let fy = L.affine(scale: 1 / 116, shift: 16 / 116)
    let fx = try a * (1 / 500) + fy
    let fz = (try fy - b * (1 / 200)).clamp(min: 0)
    func finv(_ f: Tensor) throws -> Tensor {
        try Tensor.where(f.gt(0.2068966), f.pow(3), f.affine(scale: 1 / 7.787, shift: -16 / 116 / 7.787))
    }
    let x = try finv(fx) * 0.95047, y = try finv(fy), z = try finv(fz) * 1.08883
    let m: [[Float]] = [[3.240481343201, -1.537151516271, -0.498536326169],
                        [-0.969254949997, 1.87599000149, 0.041555926558],
                        [0.055646639135, -0.204041338367, 1.057311069645]]
    var channels: [Tensor] = []
    for row in m {
        let lin = try x * row[0] + y * row[1] + z * row[2]
        let gamma = lin.clamp(min: 0.0031308).pow(1 / 2.4).affine(scale: 1.055, shift: -0.055)
        channels.append(try Tensor.where(lin.gt(0.0031308), gamma, lin * 12.92).clamp(min: 0, max: 1))
    }
    return try Tensor.concat(channels, axis: 1)
}
