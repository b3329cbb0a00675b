"""PyTorch side of `cwb bench layers`: each convolution of the reference U-Net's inference at
256², timed alone under no_grad, so a per-layer ratio shows where the whole-model figure goes.

    python Benchmarks/pytorch/bench_layers.py [--batch 1] [--runs 11] [--json]

Layer shapes follow the reference U-Net (Tests/CWBNNTests/reference_models.py): the encoder's
5×5 stride-2 convs, then the decoder's 4×4 stride-2 transposed convs on the concatenations.
Needs torch from PyPI (benchmarking only); 2 threads, as cwb.
"""
import argparse
import json
import statistics
import time


def layers(batch, size=256, base=64, depth=5, cap=8, kernel=5):
    import torch
    import torch.nn.functional as F

    width = lambda level: base * min(2 ** level, cap)
    out, s, prev = [], size, 1
    for i in range(depth):
        w = width(i)
        x, wt = torch.rand(batch, prev, s, s) * 2 - 1, torch.randn(w, prev, kernel, kernel) * 0.02
        out.append((f"conv2d {prev}→{w} @{s}²", 2 * batch * w * prev * kernel * kernel * (s // 2) ** 2,
                    lambda x=x, wt=wt: F.conv2d(x, wt, stride=2, padding=kernel // 2)))
        s, prev = s // 2, w
    for j in range(depth):
        w = width(depth - 2 - j) if j < depth - 1 else 2
        x, wt = torch.rand(batch, prev, s, s) * 2 - 1, torch.randn(prev, w, 4, 4) * 0.02
        out.append((f"convT {prev}→{w} @{s}²", 2 * batch * w * prev * 16 * s * s,
                    lambda x=x, wt=wt: F.conv_transpose2d(x, wt, stride=2, padding=1)))
        s, prev = s * 2, 2 * w
    return out


def main():
    import torch

    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    rows = []
    with torch.no_grad():
        for name, flops, body in layers(args.batch):
            for _ in range(3):
                body()
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                body()
                times.append(time.perf_counter() - t0)
            m = statistics.median(times)
            rows.append({"name": name, "medianSeconds": m, "gflops": flops / m / 1e9})
    if args.json:
        print(json.dumps(rows))
        return
    for r in rows:
        print(f"{r['name']:<24} {r['medianSeconds'] * 1e3:8.2f} ms {r['gflops']:7.1f} GFLOP/s")
    print(f"sum {sum(r['medianSeconds'] for r in rows) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
