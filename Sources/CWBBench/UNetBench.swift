import CWBCore
import CWBNN
import Foundation

/// `cwb bench unet`: issue 6's reference U-Net (base 64, depth 5, 20 564 162 parameters) —
/// a training step (forward + L1 + backward + Adam) at 64², 128², 256² with batch 8, and
/// inference at 256² with batch 1 and 8. Each row runs in a fresh process (`unet-row`) so
/// its peak RSS and the memory a step adds over the loaded model are its own.
enum UNetBench {
    struct Row: Codable {
        let mode: String, size: Int, batch: Int
        let medianSeconds: Double
        let gflops: Double
        let peakRSSMiB: Double
        let addedMiB: Double
    }

    static let rows: [(String, Int, Int)] = [("train", 64, 8), ("train", 128, 8), ("train", 256, 8),
                                             ("infer", 256, 1), ("infer", 256, 8)]

    /// One convolution of a U-Net at a given input size: the encoder's k×k stride-2 convs, then
    /// the decoder's 4×4 stride-2 transposed convs, whose inputs are the concatenations (twice
    /// the channels below the bottleneck).
    struct ConvLayer {
        let transposed: Bool
        let inChannels, outChannels, inputSize, kernel: Int
        /// Multiply–adds per image.
        var macs: Int {
            let outputPixels = transposed ? inputSize * inputSize : (inputSize / 2) * (inputSize / 2)
            return outputPixels * inChannels * outChannels * kernel * kernel
        }
    }

    static func convLayers(_ c: UNetConfig, size: Int) -> [ConvLayer] {
        var layers: [ConvLayer] = []
        var s = size, prev = c.inChannels
        for i in 0..<c.depth {
            layers.append(ConvLayer(transposed: false, inChannels: prev, outChannels: c.width(i), inputSize: s, kernel: c.kernel))
            s /= 2; prev = c.width(i)
        }
        for j in 0..<c.depth {
            let w = j < c.depth - 1 ? c.width(c.depth - 2 - j) : c.outChannels
            layers.append(ConvLayer(transposed: true, inChannels: prev, outChannels: w, inputSize: s, kernel: 4))
            s *= 2; prev = 2 * w
        }
        return layers
    }

    /// Forward GFLOP of a U-Net per image at `size`² (2 × multiply–adds of its convolutions).
    static func forwardFlops(_ model: UNet, size: Int) -> Double {
        convLayers(model.config, size: size).reduce(0) { $0 + 2 * Double($1.macs) }
    }

    /// Runs one row in this process and prints it as one JSON line.
    static func runRow(mode: String, size: Int, batch: Int, runs: Int) throws -> Row {
        manualSeed(0)
        let model = try UNet(.reference)
        let x = Tensor.uniform([batch, 1, size, size], low: -1, high: 1)
        let target = Tensor.uniform([batch, 2, size, size], low: -0.5, high: 0.5)
        let loaded = currentRSSBytes()
        let flopsPerImage = forwardFlops(model, size: size)
        let m: Measurement
        if mode == "train" {
            let opt = try Adam(model.namedParameters(), learningRate: 1e-4)
            model.train()
            m = try measure("train", flops: 3 * flopsPerImage * Double(batch), warmup: 1, runs: runs) {
                opt.zeroGrad()
                let loss = try l1Loss(try model(x), target)
                try loss.backward()
                try opt.step()
            }
        } else {
            model.eval()
            m = try measure("infer", flops: flopsPerImage * Double(batch), warmup: 1, runs: runs) {
                _ = try noGrad { try model(x) }
            }
        }
        let peak = peakRSSBytes()
        return Row(mode: mode, size: size, batch: batch, medianSeconds: m.medianSeconds, gflops: m.gflops ?? .nan,
                   peakRSSMiB: Double(peak) / 1048576, addedMiB: Double(peak - loaded) / 1048576)
    }

    /// Runs every row in a child process of this executable.
    static func run(runs: Int) throws -> [Row] {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        return try rows.map { mode, size, batch in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = ["bench", "unet-row", mode, String(size), String(batch), String(runs)]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0, let line = String(data: data, encoding: .utf8)?
                .split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
                throw TensorError("bench unet: the \(mode) \(size)² batch \(batch) row failed (exit \(p.terminationStatus))")
            }
            return try JSONDecoder().decode(Row.self, from: Data(line.utf8))
        }
    }

    static func table(_ rows: [Row]) -> String {
        var lines = ["| reference U-Net | batch | median s | GFLOP/s | peak RSS MiB | added over model MiB |",
                     "|---|---:|---:|---:|---:|---:|"]
        for r in rows {
            lines.append(String(format: "| %@ %d² | %d | %.3f | %.1f | %.0f | %.0f |", r.mode, r.size, r.batch,
                                r.medianSeconds, r.gflops, r.peakRSSMiB, r.addedMiB))
        }
        return lines.joined(separator: "\n")
    }
}

/// Resident set size now (from /proc/self/statm), in bytes.
func currentRSSBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
