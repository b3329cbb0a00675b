import CWBCore
import Foundation

/// `cwb bench kernels`: sgemm and the convolutions in GFLOP/s, each beside the sgemm figure
/// measured in the same run. The cases run interleaved, round after round, and each ratio is
/// the median over rounds of (case GFLOP/s ÷ sgemm GFLOP/s in that round), so load from
/// other processes on the shared cores cancels instead of biasing one row.
enum KernelBench {
    struct Case {
        let name: String
        let flops: Double
        let body: () throws -> Void
    }

    struct Row: Codable {
        let name: String
        let medianMilliseconds: Double
        let gflops: Double
        let ratioToSgemm: Double
    }

    static func cases() throws -> [Case] {
        let rng = RandomGenerator(seed: 1)
        let n = 2048
        let a = Tensor.randn([n, n], generator: rng), b = Tensor.randn([n, n], generator: rng)

        // conv2d 8×256×32×32 → 256, 3×3, pad 1: forward, then backward (data + weight gradients).
        let x = Tensor.randn([8, 256, 32, 32], generator: rng)
        let w = Tensor.randn([256, 256, 3, 3], generator: rng) * 0.02
        let convFlops = 2.0 * 8 * 256 * 32 * 32 * 256 * 9
        let xg = x.detached(), wg = w.detached()
        xg.requiresGrad = true; wg.requiresGrad = true
        let y = try conv2d(xg, wg, padding: (1, 1))
        let gy = Tensor.randn(y.shape, generator: rng)

        // conv_transpose2d as in a U-Net decoder: 8×512×16×16 → 256, 4×4, stride 2, pad 1 → 32×32.
        let tx = Tensor.randn([8, 512, 16, 16], generator: rng)
        let tw = Tensor.randn([512, 256, 4, 4], generator: rng) * 0.02
        let tFlops = 2.0 * 8 * 512 * 16 * 16 * 256 * 16
        let txg = tx.detached(), twg = tw.detached()
        txg.requiresGrad = true; twg.requiresGrad = true
        let ty = try convTranspose2d(txg, twg, stride: (2, 2), padding: (1, 1))
        let tgy = Tensor.randn(ty.shape, generator: rng)

        return [
            Case(name: "sgemm 2048³", flops: 2 * pow(Double(n), 3)) { _ = try a.matmul(b) },
            Case(name: "conv2d fwd 8×256×32×32→256 k3 p1", flops: convFlops) {
                _ = try noGrad { try conv2d(x, w, padding: (1, 1)) }
            },
            Case(name: "conv2d bwd (data + weight)", flops: 2 * convFlops) {
                _ = try grad(of: y, wrt: [xg, wg], gradient: gy)
            },
            Case(name: "conv_transpose2d fwd 8×512×16×16→256 k4 s2 p1", flops: tFlops) {
                _ = try noGrad { try convTranspose2d(tx, tw, stride: (2, 2), padding: (1, 1)) }
            },
            Case(name: "conv_transpose2d bwd (data + weight)", flops: 2 * tFlops) {
                _ = try grad(of: ty, wrt: [txg, twg], gradient: tgy)
            },
        ]
    }

    static func run(rounds: Int) throws -> [Row] {
        let all = try cases()
        for c in all { try c.body() }   // warm-up: page in buffers, grow the workspace
        var seconds = [[Double]](repeating: [], count: all.count)
        for _ in 0..<rounds {
            for (i, c) in all.enumerated() {
                let t0 = now()
                try c.body()
                seconds[i].append(now() - t0)
            }
        }
        return all.enumerated().map { i, c in
            let ratios = (0..<rounds).map { r in (c.flops / seconds[i][r]) / (all[0].flops / seconds[0][r]) }
            let t = median(seconds[i])
            return Row(name: c.name, medianMilliseconds: t * 1e3, gflops: c.flops / t / 1e9, ratioToSgemm: median(ratios))
        }
    }

    static func table(_ rows: [Row]) -> String {
        var lines = ["| kernel | median ms | GFLOP/s | of sgemm (paired median) |", "|---|---:|---:|---:|"]
        for r in rows {
            lines.append(String(format: "| %@ | %.1f | %.1f | %.0f %% |", r.name, r.medianMilliseconds, r.gflops, 100 * r.ratioToSgemm))
        }
        return lines.joined(separator: "\n")
    }
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
