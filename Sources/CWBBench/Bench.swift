import CWBCore
import Foundation

/// The benchmark suite behind `cwb bench` / `make bench`. Release builds only: debug figures
/// are 30–60× slower and mean nothing.
public enum Bench {
    static let usage = """
    usage: cwb bench kernels|unet|loader|layers|overfit [--runs N] [--threads N] [--json FILE] [--markdown FILE]
      kernels   sgemm 2048³, conv2d forward/backward, conv_transpose2d, in GFLOP/s and as a
                share of the sgemm figure measured in the same run (medians of N runs, default 7)
      unet      the reference U-Net (20.6 M parameters): training step at 64², 128², 256² and
                inference at 256², batch 8 (and 1), each row in a fresh process with its peak RSS
      loader    samples/s of the batch loader (embedded dataset, augmentation, 128 px) beside a U-Net
                step, and the RSS of a memory-mapped .npy dataset (see `cwb bench loader --help`)
      layers    each convolution of the reference U-Net's 256² inference alone (--batch N, default 1;
                --json prints one line for Benchmarks/compare.py --layers)
      overfit   each of the study's three models overfits one batch of 8 real 64×64 photos
                (--runs = training steps, default 300)
    """

    /// Runs `cwb bench <suite> [options]`; returns the process exit code.
    public static func main(_ arguments: [String]) -> Int32 {
        guard let suite = arguments.first else { print(usage); return 2 }
        if ["-h", "--help", "help"].contains(suite) { print(usage); return 0 }
        if suite == "loader" {   // its own options (--npy-samples, --epochs, …)
            do { try LoaderBench.run(Array(arguments.dropFirst())); return 0 } catch { print("cwb bench loader: \(error)"); return 1 }
        }
        if suite == "layers" {   // its own options: --batch N, --runs N, --json (one line, for compare.py)
            var batch = 1, runs = 11, json = false
            var rest = arguments.dropFirst()
            while let flag = rest.popFirst() {
                switch flag {
                case "--json": json = true
                case "--batch", "--runs":
                    guard let value = rest.popFirst().flatMap({ Int($0) }), value > 0 else {
                        print("cwb bench layers: \(flag) needs a positive whole number"); return 2
                    }
                    if flag == "--batch" { batch = value } else { runs = value }
                default: print("cwb bench layers: unknown option '\(flag)' (--batch N, --runs N, --json)"); return 2
                }
            }
            do {
                let rows = try LayerBench.run(batch: batch, runs: runs)
                print(json ? String(decoding: try JSONEncoder().encode(rows), as: UTF8.self) : LayerBench.table(rows))
                return 0
            } catch { print("cwb bench layers: \(error)"); return 1 }
        }
        if suite == "unet-row" {   // one row of `unet`, in its own process
            let a = arguments.dropFirst().compactMap { Int($0) }
            guard arguments.count == 5, a.count == 3 else { print("usage: cwb bench unet-row train|infer SIZE BATCH RUNS"); return 2 }
            do {
                let row = try UNetBench.runRow(mode: arguments[1], size: a[0], batch: a[1], runs: a[2])
                print(String(decoding: try JSONEncoder().encode(row), as: UTF8.self))
                return 0
            } catch { print("cwb bench: \(error)"); return 1 }
        }
        var runs = 7, json: String?, markdown: String?
        var i = 1
        while i < arguments.count {
            let value = i + 1 < arguments.count ? arguments[i + 1] : nil
            switch arguments[i] {
            case "--runs": runs = Int(value ?? "") ?? runs; i += 2
            case "--threads": Parallel.maxThreads = Int(value ?? "") ?? Parallel.maxThreads; i += 2
            case "--json": json = value; i += 2
            case "--markdown": markdown = value; i += 2
            default: print("cwb bench: unknown option '\(arguments[i])'\n\(usage)"); return 2
            }
        }
        #if DEBUG
        print("warning: this is a debug build; benchmark figures are meaningless (use `make bench`)")
        #endif
        do {
            let jsonData: Data
            let table: String
            let encoder = JSONEncoder(); encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            switch suite {
            case "kernels":
                let rows = try KernelBench.run(rounds: runs)
                table = KernelBench.table(rows)
                jsonData = try encoder.encode(rows)
            case "overfit":
                let rows = try OverfitCheck.run(steps: arguments.contains("--runs") ? runs : 300)
                table = OverfitCheck.table(rows)
                jsonData = Data("[]".utf8)
                if rows.contains(where: { !$0.passed }) { print(table); print("overfit: a model did not overfit"); return 1 }
            case "unet":
                let rows = try UNetBench.run(runs: runs)
                table = UNetBench.table(rows)
                jsonData = try encoder.encode(rows)
            default:
                print("cwb bench: unknown suite '\(suite)'\n\(usage)"); return 2
            }
            print(table)
            print(String(format: "peak RSS %.0f MiB, %d threads for cwb's own kernels", Double(peakRSSBytes()) / 1048576, Parallel.maxThreads))
            if let markdown { try writeAtomically(table + "\n", to: markdown) }
            if let json { try writeAtomically(String(decoding: jsonData, as: UTF8.self), to: json) }
            return 0
        } catch {
            print("cwb bench: \(error)")
            return 1
        }
    }
}
