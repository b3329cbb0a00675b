"""PyTorch side of `cwb bench unet`: the same reference U-Net, rows and measurements.

    python Benchmarks/pytorch/bench_unet.py row train 128 8 5   # one row, prints one JSON line
    python Benchmarks/pytorch/bench_unet.py                     # every row, each in its own process

Needs torch from PyPI (benchmarking only; cwb never depends on it). Uses 2 threads, as cwb.
The model definition is the one the test fixtures use (Tests/CWBNNTests/reference_models.py).
"""
import json
import pathlib
import resource
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "CWBNNTests"))

ROWS = [("train", 64, 8), ("train", 128, 8), ("train", 256, 8), ("infer", 256, 1), ("infer", 256, 8)]


def current_rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def run_row(mode, size, batch, runs):
    import torch
    import torch.nn.functional as F
    from reference_models import UNet, UNetConfig

    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = UNet(UNetConfig())
    x = torch.rand(batch, 1, size, size) * 2 - 1
    target = torch.rand(batch, 2, size, size) - 0.5
    loaded = current_rss_bytes()
    if mode == "train":
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        model.train()

        def body():
            opt.zero_grad(set_to_none=True)
            loss = F.l1_loss(model(x), target)
            loss.backward()
            opt.step()
    else:
        model.eval()

        def body():
            with torch.no_grad():
                model(x)
    body()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        body()
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"mode": mode, "size": size, "batch": batch, "medianSeconds": statistics.median(times),
            "peakRSSMiB": peak / 2**20, "addedMiB": (peak - loaded) / 2**20}


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "row":
        print(json.dumps(run_row(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))))
        return
    for mode, size, batch in ROWS:
        out = subprocess.run([sys.executable, __file__, "row", mode, str(size), str(batch), "5"],
                             check=True, capture_output=True, text=True).stdout
        print(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
