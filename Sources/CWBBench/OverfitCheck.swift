import CWBCore
import CWBData
import CWBImaging
import CWBNN
import CWBTraining
import Foundation

/// `cwb bench overfit`: each of the study's three models must overfit one batch of 8 real
/// 64×64 photos from the embedded dataset — its L1 term falling ≥ 10× and its PSNR on that
/// batch rising clearly above the gray baseline (issue 4). Dropout is off: memorising one
/// batch is the point, and dropout exists to prevent exactly that.
enum OverfitCheck {
    struct Row {
        let model: String, steps: Int, seconds: Double
        let l1First: Double, l1Last: Double
        let psnr: Double, grayPSNR: Double, ssim: Double, graySSIM: Double
        var passed: Bool { l1First / l1Last >= 10 && psnr > grayPSNR + 1 }
    }

    static func run(steps: Int) throws -> [Row] {
        let loader = try BatchLoader(source: try EmbeddedDataset.train(), batchSize: 8, size: 64, shuffle: false)
        guard let batch = try loader.epoch(0).next() else { throw TensorError("overfit: no batch from the embedded dataset") }
        let data = FixedBatches([batch])
        let l1 = Loss.l1.asGeneratorLoss
        var rows: [Row] = []

        manualSeed(1)
        let unet = try UNet(UNetConfig(base: 32, depth: 5, encoderDropout: 0, decoderDropout: 0))
        rows.append(try fit("final U-Net (5×5, BN, MAE)", unet, steps: steps, data: data, batch: batch) {
            SupervisedRegime(model: unet, optimizer: try Adam(unet.namedParameters(), learningRate: 2e-3), loss: l1)
        })

        manualSeed(2)
        let g = try UNet(.pix2pix(base: 32, depth: 6).with(noDropout: ()))
        let d = try PatchGAN(PatchGANConfig(inChannels: 3, base: 32, layers: 3, norm: .batch))
        let hundredL1 = (100 * Loss.l1).asGeneratorLoss
        rows.append(try fit("pix2pix (U-Net + PatchGAN, BCE + 100·L1)", g, steps: steps, data: data, batch: batch) {
            Pix2PixRegime(generator: g, discriminator: d,
                          generatorOptimizer: try Adam(g.namedParameters(), learningRate: 2e-3, beta1: 0.5),
                          discriminatorOptimizer: try Adam(d.namedParameters(), learningRate: 2e-4, beta1: 0.5),
                          generatorLoss: hundredL1)
        })

        manualSeed(3)
        let rg = try ResUNet(ResUNetConfig(base: 32, depth: 4, dropout: 0))
        let critic = try PatchGAN(PatchGANConfig(inChannels: 3, base: 16, layers: 3, norm: .instance(affine: true)))
        let cwganLoss = (Loss.l1 + 0.1 * Loss.colour).asGeneratorLoss
        rows.append(try fit("CWGAN-GP (ResU-Net + critic, n_critic 5)", rg, steps: steps, data: data, batch: batch) {
            try WGANGPRegime(generator: rg, critic: critic,
                             generatorOptimizer: try Adam(rg.namedParameters(), learningRate: 3e-3, beta1: 0.5, beta2: 0.9),
                             criticOptimizer: try Adam(critic.namedParameters(), learningRate: 1e-4, beta1: 0.5, beta2: 0.9),
                             criticSteps: 5, penaltyWeight: 10, generatorLoss: cwganLoss)
        })
        return rows
    }

    static func fit(_ name: String, _ model: Module, steps: Int, data: FixedBatches, batch: Batch,
                    regime: () throws -> TrainingRegime) throws -> Row {
        var options = TrainingOptions(epochs: steps)
        options.log = { _ in }
        let t0 = now()
        let history = try train(try regime(), data: data, options: options)
        let seconds = now() - t0
        let l1 = history.stepSeries("l1")
        // Score the batch at its own 64×64 size: predictions vs truths, and the gray baseline.
        model.eval()
        let ab = try noGrad { try model(batch.l) }
        var predictions: [RGBImage] = [], truths: [RGBImage] = []
        for i in 0..<batch.l.shape[0] {
            predictions.append(try LabTensors.rgbImage(l: batch.l, ab: ab, index: i))
            truths.append(try LabTensors.rgbImage(l: batch.l, ab: batch.ab, index: i))
        }
        let r = try Metrics.report(predictions: predictions, truths: truths)
        return Row(model: name, steps: history.steps.count, seconds: seconds, l1First: l1.first ?? .nan, l1Last: l1.last ?? .nan,
                   psnr: r.psnr.mean, grayPSNR: r.baselinePSNR.mean, ssim: r.ssim.mean, graySSIM: r.baselineSSIM.mean)
    }

    static func table(_ rows: [Row]) -> String {
        var lines = ["| model | steps | time | L1 first → last | fall | PSNR dB (gray) | SSIM (gray) | passed |",
                     "|---|---:|---:|---|---:|---|---|---|"]
        for r in rows {
            lines.append(String(format: "| %@ | %d | %.0f s | %.4f → %.4f | %.0f× | %.2f (%.2f) | %.3f (%.3f) | %@ |",
                                r.model, r.steps, r.seconds, r.l1First, r.l1Last, r.l1First / r.l1Last,
                                r.psnr, r.grayPSNR, r.ssim, r.graySSIM, r.passed ? "yes" : "NO"))
        }
        return lines.joined(separator: "\n")
    }
}

extension UNetConfig {
    /// The same architecture without dropout.
    func with(noDropout: Void) -> UNetConfig {
        var c = self; c.encoderDropout = 0; c.decoderDropout = 0; return c
    }
}
