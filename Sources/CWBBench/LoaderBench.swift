import CWBCore
import CWBData
import CWBImaging
import CWBNN
import Foundation

/// `cwb bench loader`: is data loading ever the bottleneck?
///  1. the study's `.npy` layout at full scale — N synthetic 224×224 samples (L file + ab split
///     over two files), read through the memory map: samples/s and peak RSS against the file size;
///  2. the embedded dataset (Datasets/landscapes/train) with augmentation at 128 px, batch 8:
///     samples/s with the background thread alone and with 2 decoding threads;
///  3. the reference U-Net training step at 128², batch 8 (UNetBench), and a few real steps fed
///     by the loader, timing how long each step waited for its batch.
///  0. what one image costs: decode, Lab both ways, resize, PSNR, SSIM (both variants).
/// Options: --npy-samples N (2000), --npy-dir DIR (a temp dir, removed after), --epochs N (2),
/// --unet-runs N (3; 0 skips the U-Net), --overlap-steps N (3).
public enum LoaderBench {
    public static func run(_ args: [String]) throws {
        var npySamples = 2000, epochs = 2, unetRuns = 3, overlapSteps = 3
        var npyDir: String?
        var i = 0
        while i < args.count {
            let v = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--npy-samples": npySamples = Int(v) ?? npySamples
            case "--npy-dir": npyDir = v
            case "--epochs": epochs = Int(v) ?? epochs
            case "--unet-runs": unetRuns = Int(v) ?? unetRuns
            case "--overlap-steps": overlapSteps = Int(v) ?? overlapSteps
            default: throw DataError("bench loader: unknown option '\(args[i])'")
            }
            i += 2
        }
        try imageCosts()
        if npySamples > 0 { try npyPass(samples: npySamples, dir: npyDir) }
        let rate = try embeddedPass(epochs: epochs)
        if unetRuns > 0 { try unetComparison(runs: unetRuns, overlapSteps: overlapSteps, loaderRate: rate) }
    }

    // MARK: 0. per-image costs

    static func imageCosts() throws {
        let val = try EmbeddedDataset.validation()
        let path = (val.root as NSString).appendingPathComponent(val.files[0])
        let img = try RGBImage.load(path)
        let lab = LabImage(rgb: img)
        let other = try RGBImage.load((val.root as NSString).appendingPathComponent(val.files[1]))
            .resized(width: img.width, height: img.height)
        let mp = Double(img.pixelCount) / 1e6
        var rows: [(String, Double)] = []
        func time(_ name: String, _ body: () throws -> Void) rethrows {
            rows.append((name, try measure(name, warmup: 1, runs: 9, body).medianSeconds))
        }
        try time("JPEG decode") { _ = try RGBImage.load(path) }
        time("sRGB -> Lab") { _ = LabImage(rgb: img) }
        time("Lab -> sRGB") { _ = lab.rgb() }
        try time("resize to 128x128 (area)") { _ = try img.resized(width: 128, height: 128) }
        try time("resize x2 (bilinear)") { _ = try img.resized(width: 2 * img.width, height: 2 * img.height) }
        try time("PSNR") { _ = try Metrics.psnr(img, other) }
        try time("SSIM 7x7 uniform") { _ = try Metrics.ssim(img, other) }
        try time("SSIM 11x11 Gaussian") { _ = try Metrics.ssim(img, other, variant: .gaussian11) }
        print(String(format: "image costs on %dx%d (%.3f MP), median of 9 (Lab conversions use both cores from 64k pixels):", img.width, img.height, mp))
        for (name, t) in rows { print(String(format: "  %-26@ %7.2f ms  (%.1f ms/MP)", name as NSString, 1000 * t, 1000 * t / mp)) }
    }

    // MARK: 1. npy through the memory map

    static func npyPass(samples n: Int, dir: String?) throws {
        let side = 224
        let folder = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("cwb-loader-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let first = n * 3 / 4
        let t0 = now()
        try writeSynthetic(folder + "/L.npy", shape: [n, side, side], seed: 1)
        try writeSynthetic(folder + "/ab1.npy", shape: [first, side, side, 2], seed: 2)
        try writeSynthetic(folder + "/ab2.npy", shape: [n - first, side, side, 2], seed: 3)
        let fileBytes = [folder + "/L.npy", folder + "/ab1.npy", folder + "/ab2.npy"].reduce(0) {
            $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0)
        }
        print(String(format: "npy: wrote %d samples of %dx%d (%.0f MiB in 3 files) in %.1f s",
                     n, side, side, Double(fileBytes) / 1048576, now() - t0))
        let before = currentRSSBytes()
        let source = try NpyLabSource(lPath: folder + "/L.npy", abPaths: [folder + "/ab1.npy", folder + "/ab2.npy"])
        let loader = try BatchLoader(source: source, batchSize: 16, size: side, shuffle: true, seed: 1)
        var peak = before, seen = 0
        let t1 = now()
        let it = loader.epoch(0)
        var checksum: Float = 0
        while let b = try it.next() {
            seen += b.indices.count
            checksum += b.l.pointer[0]
            peak = max(peak, currentRSSBytes())
        }
        let dt = now() - t1
        print(String(format: "npy: one shuffled epoch, %d samples at %d², batch 16: %.1f s, %.0f samples/s",
                     seen, side, dt, Double(seen) / dt))
        print("npy: at the end", rssSplit())
        print(String(format: "npy: RSS %.0f MiB before, peak %.0f MiB while loading (+%.0f MiB) for %.0f MiB of files (%.1f%%); process peak (getrusage) %.0f MiB",
                     mib(before), mib(peak), mib(peak - before), mib(fileBytes), 100 * Double(peak - before) / Double(fileBytes),
                     mib(peakRSSBytes())))
        _ = checksum
    }

    /// A uint8 .npy of pseudo-random bytes, written in chunks (never whole in memory).
    static func writeSynthetic(_ path: String, shape: [Int], seed: UInt64) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw DataError("\(path): cannot create")
        }
        defer { try? h.close() }
        try h.write(contentsOf: NpyHeader.encode(dtype: .uint8, shape: shape))
        let total = shape.reduce(1, *), chunk = 1 << 22
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var buf = [UInt8](repeating: 0, count: chunk)
        var written = 0
        while written < total {
            let m = min(chunk, total - written)
            buf.withUnsafeMutableBytes { p in
                let words = p.bindMemory(to: UInt64.self)
                for k in 0..<words.count {
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    words[k] = state
                }
            }
            try h.write(contentsOf: buf[0..<m])
            written += m
        }
    }

    // MARK: 2. the embedded dataset with augmentation

    static func embeddedPass(epochs: Int) throws -> Double {
        let source = try EmbeddedDataset.train()
        let aug = try Augmentation(size: 128)
        var rate = 0.0
        guard epochs > 0 else { return 0 }
        for workers in [1, 2] {
            let loader = try BatchLoader(source: source, batchSize: 8, size: 128, augmentation: aug, seed: 1, workers: workers)
            var seen = 0
            let t0 = now()
            for e in 0..<epochs {
                let it = loader.epoch(e)
                while let b = try it.next() { seen += b.indices.count }
            }
            let dt = now() - t0
            let r = Double(seen) / dt
            if workers == 1 { rate = r }
            print(String(format: "embedded: %d photos (JPEG ~256x384) -> random crop/scale/flip -> Lab 128², batch 8, %d decoding thread%@: %.0f samples/s (%.2f s per batch)",
                         source.count, workers, workers == 1 ? "" : "s", r, 8 / r))
        }
        return rate
    }

    // MARK: 3. against a U-Net training step

    static func unetComparison(runs: Int, overlapSteps: Int, loaderRate: Double) throws {
        let row = try UNetBench.runRow(mode: "train", size: 128, batch: 8, runs: runs)
        let needed = 8 / row.medianSeconds
        print(String(format: "unet: reference U-Net training step at 128², batch 8: %.3f s median -> consumes %.1f samples/s; loader alone makes %.0f samples/s (%.0fx)",
                     row.medianSeconds, needed, loaderRate, loaderRate / needed))
        guard overlapSteps > 0 else { return }
        // Real steps fed by the loader: how long does each step wait for its batch?
        manualSeed(0)
        let model = try UNet(.reference)
        let opt = try Adam(model.namedParameters(), learningRate: 1e-4)
        model.train()
        let loader = try BatchLoader(source: try EmbeddedDataset.train(), batchSize: 8, size: 128,
                                     augmentation: try Augmentation(size: 128), seed: 2)
        let it = loader.epoch(0)
        var waits: [Double] = []
        for _ in 0..<overlapSteps {
            let t0 = now()
            guard let b = try it.next() else { break }
            waits.append(now() - t0)
            opt.zeroGrad()
            try l1Loss(try model(b.l), b.ab).backward()
            try opt.step()
        }
        print("unet: \(waits.count) steps fed by the loader waited " + waits.map { String(format: "%.3f s", $0) }.joined(separator: ", ")
              + " for their batches (the first includes starting the epoch)")
    }

    /// "RssAnon … RssFile …" from /proc/self/status: mapped file pages versus the process's own memory.
    static func rssSplit() -> String {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "" }
        return text.split(separator: "\n").filter { $0.hasPrefix("RssAnon") || $0.hasPrefix("RssFile") }
            .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }.joined(separator: ", ")
    }

    static func mib(_ bytes: Int) -> Double { Double(bytes) / 1048576 }
}
