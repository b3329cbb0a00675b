import CWBCore
import CWBData
import CWBImaging
import CWBNN
import CWBTraining
import Foundation

// Training (supervised, pix2pix, WGAN-GP), evaluation beside the gray baseline, colorizing,
// and sample sheets; histories and reports as values that print and plot.

/// A training history: prints its last losses; `plot(h)` draws train/val loss per epoch.
public final class HistoryValue: ScriptPlottable {
    public let history: History
    init(_ h: History) { history = h }
    public var typeName: String { "history" }
    public var description: String { history.summary }
    public var attributeNames: [String] { ["epochs", "steps", "stop_reason", "series"] + history.seriesNames }
    public func attribute(_ name: String) throws -> Value? {
        switch name {
        case "epochs": return .number(Double(history.epochs.count))
        case "steps": return .number(Double(history.steps.count))
        case "stop_reason": return history.stopReason.map { .string($0) } ?? .null
        case "series": return .list(history.seriesNames.map { .string($0) })
        case "step_loss": return .list(history.stepSeries("loss").map { .number($0) })
        default:
            let s = history.epochSeries(name)
            return s.isEmpty && !history.seriesNames.contains(name) ? nil : .list(s.map { .number($0) })
        }
    }
    public func plotSeries() throws -> (series: [(title: String, x: [Double]?, y: [Double])], xlabel: String, ylabel: String) {
        var series: [(title: String, x: [Double]?, y: [Double])] = []
        for (name, title) in [("loss", "train loss"), ("val_loss", "validation loss")] {
            let y = history.epochSeries(name)
            if !y.isEmpty { series.append((title, (1...y.count).map(Double.init), y)) }
        }
        if series.isEmpty {   // no finished epoch: per-step losses
            let y = history.stepSeries("loss")
            series.append(("train loss (per step)", nil, y))
            return (series, "step", "loss")
        }
        return (series, "epoch", "loss")
    }
}

/// One metric over a set of images: prints its summary; `hist(s)` draws its values.
public final class SummaryValue: ScriptPlottable {
    let summary: MetricSummary, name: String
    init(_ s: MetricSummary, name: String) { summary = s; self.name = name }
    public var typeName: String { "summary" }
    public var description: String { "\(name): \(summary)" }
    public var attributeNames: [String] { ["mean", "median", "min", "max", "values"] }
    public func attribute(_ n: String) throws -> Value? {
        switch n {
        case "mean": return .number(summary.mean)
        case "median": return .number(summary.median)
        case "min": return .number(summary.min)
        case "max": return .number(summary.max)
        case "values": return .list(summary.values.map { .number($0) })
        default: return nil
        }
    }
    public func plotSeries() throws -> (series: [(title: String, x: [Double]?, y: [Double])], xlabel: String, ylabel: String) {
        ([(name, nil, summary.values)], name, "images")
    }
}

/// An evaluation: the model's PSNR/SSIM/colorfulness beside the gray baseline's.
public final class ReportValue: ScriptObject {
    public let report: MetricReport
    init(_ r: MetricReport) { report = r }
    public var typeName: String { "report" }
    public var description: String { report.description }
    public var attributeNames: [String] { ["psnr", "ssim", "colorfulness", "gray", "truth_colorfulness", "names", "count"] }
    public func attribute(_ name: String) throws -> Value? {
        switch name {
        case "psnr": return .object(SummaryValue(report.psnr, name: "PSNR dB"))
        case "ssim": return .object(SummaryValue(report.ssim, name: "SSIM"))
        case "colorfulness": return .object(SummaryValue(report.colorfulness, name: "colorfulness"))
        case "truth_colorfulness": return .object(SummaryValue(report.truthColorfulness, name: "truth colorfulness"))
        case "gray":
            return .record(Record([("psnr", .object(SummaryValue(report.baselinePSNR, name: "gray PSNR dB"))),
                                   ("ssim", .object(SummaryValue(report.baselineSSIM, name: "gray SSIM"))),
                                   ("colorfulness", .object(SummaryValue(report.baselineColorfulness, name: "gray colorfulness")))]))
        case "names": return .list(report.names.map { .string($0) })
        case "count": return .number(Double(report.names.count))
        default: return nil
        }
    }
}

/// Everything `fit`, `fit_gan` and `fit_wgan` share: the loader, the validation closure,
/// the options, and how the run is printed.
struct FitSetup {
    let loader: BatchLoader
    let options: TrainingOptions
    let validate: ((Int) throws -> [String: Double])?

    init(_ a: Arguments, _ interp: Interpreter, evaluated model: Module, loss: Loss) throws {
        let data = try a.dataset("data")
        let batch = try a.int("batch", default: 8)
        let seed = UInt64(try a.int("seed", default: 0))
        loader = try BatchLoader(source: data.source, batchSize: batch, size: data.size,
                                 augmentation: data.augment ? try Augmentation(size: data.size) : nil,
                                 shuffle: true, seed: seed, dropLast: data.count >= batch, workers: 2)
        // A ragged last batch is dropped (reshuffled into later epochs): a batch of one would
        // give batch norm a single value per channel at the bottleneck.
        var o = TrainingOptions(epochs: try a.int("epochs", default: 10))
        o.schedule = try a.schedule("schedule")
        o.checkpointPath = try a.optionalString("checkpoint")
        o.checkpointEvery = try a.int("every", default: 1)
        o.resume = try a.bool("resume", default: false)
        if a.has("ema") {
            let decay = try a.number("ema")
            guard decay > 0 && decay < 1 else {
                throw ScriptError(.value, "\(a.function): ema must be a decay in (0, 1) such as 0.999, got \(decay)", at: a.location(of: "ema"))
            }
            o.average = try WeightAverage(model, decay: Float(decay))
        }
        o.log = { interp.emit($0) }
        options = o
        if let val = try a.optionalDataset("val") {
            let truths = try val.truthImages(), names = val.names()
            let valLoader = try BatchLoader(source: val.source, batchSize: batch, size: val.size, shuffle: false)
            let multiple = (model as? UNet)?.config.sizeMultiple ?? 32
            validate = { _ in
                // Loss on the validation set at the training size, then colorization quality
                // at full stored resolution beside the gray baseline.
                var total = 0.0, n = 0
                let next = valLoader.batches(epoch: 0)
                while let b = try next() {
                    let p = try model(b.l)
                    total += Double(try loss(p, b.ab, luminance: b.l).item()) * Double(b.l.shape[0]); n += b.l.shape[0]
                }
                var out = try evaluate(model, truths: truths, names: names, workingSize: val.size, multiple: multiple).headline
                out["loss"] = total / Double(max(n, 1))
                return out
            }
        } else {
            validate = nil
        }
    }
}

extension Arguments {
    func optimizer(_ name: String, for model: Module, default d: OptimizerSpec) throws -> Optimizer {
        try optimizerSpec(name, default: d).make(model.namedParameters())
    }
}

func registerTrainingBuiltins(_ r: BuiltinRegistry) {
    let d = "training"
    let defaultAdam = OptimizerSpec(kind: "adam", text: "adam(lr: 2e-4)") { try Adam($0, learningRate: 2e-4) }
    let ganAdam = OptimizerSpec(kind: "adam", text: "adam(lr: 2e-4, beta1: 0.5)") { try Adam($0, learningRate: 2e-4, beta1: 0.5) }
    let common = "epochs: 10, batch: 8, val: nil, schedule: nil, checkpoint: nil, every: 1, resume: false, ema: nil, seed: 0"

    r.register("fit(model, data, loss: l1(), opt: adam(lr: 2e-4), \(common))", domain: d,
               summary: "Supervised training of model(L) → ab. With val: each epoch reports the validation loss and PSNR/SSIM/colorfulness beside the gray baseline. checkpoint: a path saved every `every` epochs (resume: true continues from it). ema: a decay such as 0.999 keeps a running average of the model's weights, validates it, and leaves it in the model at the end. Ctrl-C stops at the end of the current step and returns the history so far.",
               example: "h = fit(g, train, loss: l1(), opt: adam(lr: 2e-4), epochs: 10, batch: 8, val: val)") { a, interp in
        let model = try a.module("model")
        let loss = a.has("loss") ? try a.loss("loss") : Loss.l1
        let setup = try FitSetup(a, interp, evaluated: model, loss: loss)
        let regime = SupervisedRegime(model: model, optimizer: try a.optimizer("opt", for: model, default: defaultAdam), loss: loss.asGeneratorLoss)
        return .object(HistoryValue(try train(regime, data: setup.loader, options: setup.options, validate: setup.validate)))
    }
    r.register("fit_gan(generator, discriminator, data, loss: 100 * l1(), opt_g: adam(lr: 2e-4, beta1: 0.5), opt_d: adam(lr: 2e-4, beta1: 0.5), \(common))", domain: d,
               summary: "pix2pix training: per step one discriminator update (BCE on real and generated (L, ab) pairs) and one generator update (BCE + loss, the study: 100·L1).",
               example: "h = fit_gan(g, patchgan(), train, epochs: 5, val: val)") { a, interp in
        let g = try a.module("generator"), dis = try a.module("discriminator")
        let loss = a.has("loss") ? try a.loss("loss") : 100 * Loss.l1
        let setup = try FitSetup(a, interp, evaluated: g, loss: loss)
        let regime = Pix2PixRegime(generator: g, discriminator: dis,
                                   generatorOptimizer: try a.optimizer("opt_g", for: g, default: ganAdam),
                                   discriminatorOptimizer: try a.optimizer("opt_d", for: dis, default: ganAdam),
                                   generatorLoss: loss.asGeneratorLoss)
        return .object(HistoryValue(try train(regime, data: setup.loader, options: setup.options, validate: setup.validate)))
    }
    r.register("fit_wgan(generator, critic, data, loss: l1(), opt_g: adam(lr: 2e-4, beta1: 0.5), opt_c: adam(lr: 2e-4, beta1: 0.5), n_critic: 5, gp: 10, \(common))", domain: d,
               summary: "Conditional WGAN-GP: per step n_critic critic updates (Wasserstein loss + gp·gradient penalty, differentiated twice), then one generator update (−critic + loss; the study: l1() + 0.005 * perceptual(\"vgg16\") + 0.1 * colour()).",
               example: "h = fit_wgan(resunet(base: 32), patchgan(norm: \"instance\"), train, n_critic: 5, epochs: 5)") { a, interp in
        let g = try a.module("generator"), c = try a.module("critic")
        let loss = a.has("loss") ? try a.loss("loss") : Loss.l1
        let setup = try FitSetup(a, interp, evaluated: g, loss: loss)
        let regime = try WGANGPRegime(generator: g, critic: c,
                                      generatorOptimizer: try a.optimizer("opt_g", for: g, default: ganAdam),
                                      criticOptimizer: try a.optimizer("opt_c", for: c, default: ganAdam),
                                      criticSteps: try a.int("n_critic", default: 5), penaltyWeight: try a.float("gp", default: 10),
                                      seed: UInt64(try a.int("seed", default: 0)), generatorLoss: loss.asGeneratorLoss)
        return .object(HistoryValue(try train(regime, data: setup.loader, options: setup.options, validate: setup.validate)))
    }
    r.register("evaluate(model, data, size: nil, ssim: \"uniform\")", domain: d,
               summary: "Colorizes every image of data from its own L (network at `size`, default the dataset's; result at full resolution) and reports PSNR, SSIM and colorfulness per image and summarised, beside the gray baseline (a = b = 0). ssim: \"uniform\" (scikit-image's default 7×7) or \"gaussian\" (Wang's 11×11, σ 1.5).",
               example: "r = evaluate(g, val); print(r.psnr.mean, r.gray.psnr.mean)") { a, _ in
        let model = try a.module("model"), data = try a.dataset("data")
        let variantName = try a.string("ssim", default: "uniform")
        let variant: SSIMVariant
        switch variantName {
        case "uniform": variant = .uniform7
        case "gaussian": variant = .gaussian11
        default: throw ScriptError(.value, "evaluate: ssim must be \"uniform\" or \"gaussian\", got \"\(variantName)\"", at: a.location(of: "ssim"))
        }
        let size = a.has("size") ? try a.int("size") : data.size
        let multiple = (model as? UNet)?.config.sizeMultiple ?? 32
        return .object(ReportValue(try evaluate(model, truths: try data.truthImages(), names: data.names(), workingSize: size, multiple: multiple, ssim: variant)))
    }
    r.register("colorize(model, image, size: 256, to: nil)", domain: d,
               summary: "Colorizes a photo (an image or a path) at full resolution: ab predicted with the network at `size` (shorter side), resized back and joined with the photo's own L. to: writes the result.",
               example: "colorize(g, \"photo.jpg\", to: \"Plots/photo-colour.png\")") { a, interp in
        let model = try a.module("model")
        let multiple = (model as? UNet)?.config.sizeMultiple ?? 32
        let out = try colorize(model, try a.image("image"), workingSize: try a.int("size", default: 256), multiple: multiple)
        if let path = try a.optionalString("to") { try out.save(path); interp.recordArtifact(path) }
        return .object(ImageValue(out))
    }
    r.register("samples(model, data, n: 4, size: nil, to: nil)", domain: d,
               summary: "A sheet of n rows: gray input | prediction | truth, for the first n images of data (network at `size`). Returns the three lists of images; to: writes the sheet as PNG.",
               example: "samples(g, val, n: 6, to: \"Plots/unet-samples.png\")") { a, interp in
        let model = try a.module("model"), data = try a.dataset("data")
        let n = min(try a.int("n", default: 4), data.count)
        let size = a.has("size") ? try a.int("size") : data.size
        let multiple = (model as? UNet)?.config.sizeMultiple ?? 32
        var rows: [[RGBImage]] = []
        for i in 0..<n {
            let truth = try data.source.sample(at: i).rgbImage
            rows.append([Metrics.grayBaseline(of: truth), try colorize(model, truth, workingSize: size, multiple: multiple), truth])
        }
        if let path = try a.optionalString("to") {
            try ImageGrid.compose(rows).save(path)
            interp.recordArtifact(path)
        }
        return .list((0..<3).map { c in .list(rows.map { .object(ImageValue($0[c])) }) })
    }
}
