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

    /// The encoder's k×k stride-2 convs, then the decoder's 4×4 stride-2 transposed convs (whose
    /// inputs are the concatenations, so twice the channels below the bottleneck), as the
    /// reference U-Net runs them on a `size`² image.
    static func layers(batch: Int, size: Int = 256) -> [Layer] {
        let c = UNetConfig.reference
        var out: [Layer] = []
        var s = size, prev = c.inChannels
        for i in 0..<c.depth {
            let w = c.width(i), pad = c.kernel / 2
            let x = Tensor.uniform([batch, prev, s, s], low: -1, high: 1)
            let weight = Tensor.randn([w, prev, c.kernel, c.kernel]) * 0.02
            let macs = batch * w * prev * c.kernel * c.kernel * (s / 2) * (s / 2)
            out.append(Layer(name: "conv2d \(prev)→\(w) @\(s)²", flops: 2 * Double(macs)) {
                _ = try noGrad { try conv2d(x, weight, stride: (2, 2), padding: (pad, pad)) }
            })
            s /= 2; prev = w
        }
        for j in 0..<c.depth {
            let w = j < c.depth - 1 ? c.width(c.depth - 2 - j) : c.outChannels
            let x = Tensor.uniform([batch, prev, s, s], low: -1, high: 1)
            let weight = Tensor.randn([prev, w, 4, 4]) * 0.02
            let macs = batch * w * prev * 16 * s * s
            out.append(Layer(name: "convT \(prev)→\(w) @\(s)²", flops: 2 * Double(macs)) {
                _ = try noGrad { try convTranspose2d(x, weight, stride: (2, 2), padding: (1, 1)) }
            })
            s *= 2; prev = 2 * w
        }
        return out
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
