import CWBCore
import CWBImaging
import CWBNN

/// Colorizes a photo of any size at full resolution: the network sees L resized so its
/// shorter side is `workingSize` (each side rounded to a multiple of `multiple`, which a
/// U-Net of depth d needs to be 2^d), predicts ab there, and the ab is resized back to the
/// original size and joined with the original full-resolution L — so every detail of the
/// input stays, and only the colour comes from the network.
public func colorize(_ model: Module, _ image: RGBImage, workingSize: Int, multiple: Int = 32) throws -> RGBImage {
    let lab = LabImage(rgb: image)
    return try colorize(model, lab: lab, workingSize: workingSize, multiple: multiple).rgb()
}

/// The Lab version of `colorize`: L is the input's own, ab is predicted.
public func colorize(_ model: Module, lab: LabImage, workingSize: Int, multiple: Int = 32) throws -> LabImage {
    guard workingSize > 0, multiple > 0 else { throw TensorError("colorize: working size \(workingSize) and multiple \(multiple) must be positive") }
    let (w, h) = workingDimensions(width: lab.width, height: lab.height, shorterSide: workingSize, multiple: multiple)
    let small = try lab.resized(width: w, height: h)
    let wasTraining = model.isTraining
    model.eval()
    defer { model.train(wasTraining) }
    let L = try LabTensors.lTensor([small])
    let ab = try noGrad { try model(L) }
    guard ab.shape == [1, 2, h, w] else {
        throw TensorError("colorize: the model maps L \(L.shape) to \(ab.shape), expected ab [1, 2, \(h), \(w)]")
    }
    let predicted = try LabTensors.labImage(l: L, ab: ab)
    let full = try predicted.resized(width: lab.width, height: lab.height)
    return try LabImage(width: lab.width, height: lab.height, l: lab.l, ab: full.ab)
}

/// Width and height whose shorter side is about `shorterSide`, keeping the aspect ratio, each
/// a positive multiple of `multiple`.
public func workingDimensions(width: Int, height: Int, shorterSide: Int, multiple: Int) -> (Int, Int) {
    let scale = Double(shorterSide) / Double(Swift.min(width, height))
    func round(_ v: Int) -> Int { Swift.max(multiple, Int((Double(v) * scale / Double(multiple)).rounded()) * multiple) }
    return (round(width), round(height))
}

/// Scores a model on truth images: each is colorized from its own L (as `colorize`, at
/// full resolution) and compared with the truth, beside the gray baseline on the same images.
public func evaluate(_ model: Module, truths: [RGBImage], names: [String]? = nil, workingSize: Int,
                     multiple: Int = 32, ssim: SSIMVariant = .uniform7) throws -> MetricReport {
    var predictions: [RGBImage] = []
    predictions.reserveCapacity(truths.count)
    for t in truths {
        if StopRequest.isRequested { throw TensorError("evaluate: stopped on request after \(predictions.count) of \(truths.count) images") }
        predictions.append(try colorize(model, t, workingSize: workingSize, multiple: multiple))
    }
    return try Metrics.report(predictions: predictions, truths: truths, names: names, ssim: ssim)
}

extension MetricReport {
    /// The headline numbers as a record for histories: model and baseline side by side.
    public var headline: [String: Double] {
        ["psnr": psnr.mean, "ssim": ssim.mean, "colorfulness": colorfulness.mean,
         "gray_psnr": baselinePSNR.mean, "gray_ssim": baselineSSIM.mean]
    }
}
