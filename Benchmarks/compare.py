"""cwb against PyTorch on the same machine, in alternation: for every row of the reference
U-Net suite, run cwb's row and PyTorch's row in turn PAIRS times (each in a fresh process),
and report the median of the paired time ratios cwb/PyTorch, so machine drift cancels.

    python Benchmarks/compare.py [--pairs 3] [--runs 5] [--rows train64,train128,...]
        [--markdown Benchmarks/RESULTS.md]

Needs a release build (`swift build -c release`) and torch (pip, benchmarking only).
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CWB = ROOT / ".build" / "release" / "cwb"
TORCH = ROOT / "Benchmarks" / "pytorch" / "bench_unet.py"
ROWS = {"train64": ("train", 64, 8), "train128": ("train", 128, 8), "train256": ("train", 256, 8),
        "infer256x1": ("infer", 256, 1), "infer256x8": ("infer", 256, 8)}


def last_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads([l for l in out.splitlines() if l.startswith("{")][-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rows", default=",".join(ROWS))
    ap.add_argument("--markdown")
    args = ap.parse_args()
    lines = ["| row | cwb s | PyTorch s | cwb/PyTorch (paired median) | cwb peak RSS MiB | PyTorch peak RSS MiB | cwb added MiB | PyTorch added MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key in args.rows.split(","):
        mode, size, batch = ROWS[key]
        cwb, torch = [], []
        for _ in range(args.pairs):
            cwb.append(last_json([str(CWB), "bench", "unet-row", mode, str(size), str(batch), str(args.runs)]))
            torch.append(last_json([sys.executable, str(TORCH), "row", mode, str(size), str(batch), str(args.runs)]))
        ratio = statistics.median(c["medianSeconds"] / t["medianSeconds"] for c, t in zip(cwb, torch))
        med = lambda rows, k: statistics.median(r[k] for r in rows)
        lines.append(f"| {mode} {size}² batch {batch} | {med(cwb, 'medianSeconds'):.3f} | {med(torch, 'medianSeconds'):.3f} | "
                     f"{ratio:.2f} | {med(cwb, 'peakRSSMiB'):.0f} | {med(torch, 'peakRSSMiB'):.0f} | "
                     f"{med(cwb, 'addedMiB'):.0f} | {med(torch, 'addedMiB'):.0f} |")
        print(lines[-1], flush=True)
    if args.markdown:
        path = pathlib.Path(args.markdown)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(path)


if __name__ == "__main__":
    main()
