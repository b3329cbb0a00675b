import CWBCore
import CWBNN
import Foundation

/// `cwb bench layers [--batch N] [--runs N] [--json]`: each convolution of the reference
/// U-Net's inference at 256², timed alone without autograd. Benchmarks/pytorch/bench_layers.py
/// times the same layers in PyTorch, and `compare.py --layers` pairs the two, so a per-layer
/// ratio shows where the whole-model figure is won or lost.
enum LayerBench {
    struct Layer { let name: String; let flops: Double; let body: () throws -> Void }

    struct Row: Codable {
        let name: String
        let medianSeconds: Double
        let gflops: Double
    }

    /// Each convolution of the reference U-Net on a `size`² image, with random input and weights.
    static func layers(batch: Int, size: Int = 256) -> [Layer] {
        UNetBench.convLayers(.reference, size: size).map { l in
            let s = l.inputSize, k = l.kernel
            let x = Tensor.uniform([batch, l.inChannels, s, s], low: -1, high: 1)
            let flops = 2 * Double(batch * l.macs)
            if l.transposed {
                let weight = Tensor.randn([l.inChannels, l.outChannels, k, k]) * 0.02
                return Layer(name: "convT \(l.inChannels)→\(l.outChannels) @\(s)²", flops: flops) {
                    _ = try noGrad { try convTranspose2d(x, weight, stride: (2, 2), padding: (1, 1)) }
                }
            }
            let weight = Tensor.randn([l.outChannels, l.inChannels, k, k]) * 0.02
            return Layer(name: "conv2d \(l.inChannels)→\(l.outChannels) @\(s)²", flops: flops) {
                _ = try noGrad { try conv2d(x, weight, stride: (2, 2), padding: (k / 2, k / 2)) }
            }
        }
    }

    static func run(batch: Int, runs: Int) throws -> [Row] {
        manualSeed(0)
        return try layers(batch: batch).map { layer in
            let m = try measure(layer.name, flops: layer.flops, warmup: 3, runs: runs, layer.body)
            return Row(name: layer.name, medianSeconds: m.medianSeconds, gflops: m.gflops ?? .nan)
        }
    }

    static func table(_ rows: [Row]) -> String {
        var lines = ["| layer | ms | GFLOP/s |", "|---|---:|---:|"]
        for r in rows { lines.append(String(format: "| %@ | %.2f | %.1f |", r.name, r.medianSeconds * 1e3, r.gflops)) }
        lines.append(String(format: "| sum | %.1f | |", rows.reduce(0) { $0 + $1.medianSeconds } * 1e3))
        return lines.joined(separator: "\n")
    }
}
