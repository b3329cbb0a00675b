"""cwb against PyTorch on the same machine, in alternation: for every row of the reference
U-Net suite, run cwb's row and PyTorch's row in turn PAIRS times (each in a fresh process),
and report the median of the paired time ratios cwb/PyTorch, so machine drift cancels.

    python Benchmarks/compare.py [--pairs 3] [--runs 5] [--rows train64,train128,...]
        [--markdown Benchmarks/RESULTS.md]
    python Benchmarks/compare.py --layers [--batch 1] [--pairs 5]   # each conv of 256² inference

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
TORCH_LAYERS = ROOT / "Benchmarks" / "pytorch" / "bench_layers.py"
ROWS = {"train64": ("train", 64, 8), "train128": ("train", 128, 8), "train256": ("train", 256, 8),
        "infer256x1": ("infer", 256, 1), "infer256x8": ("infer", 256, 8)}


def last_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads([l for l in out.splitlines() if l.startswith(("{", "["))][-1])


def compare_layers(pairs, batch, runs, markdown):
    """Per layer: cwb and PyTorch in alternation, the median of the paired ratios."""
    cwb, torch = [], []
    for _ in range(pairs):
        cwb.append(last_json([str(CWB), "bench", "layers", "--json", "--batch", str(batch), "--runs", str(runs)]))
        torch.append(last_json([sys.executable, str(TORCH_LAYERS), "--json", "--batch", str(batch), "--runs", str(runs)]))
    lines = [f"| layer (256², batch {batch}) | cwb ms | PyTorch ms | cwb/PyTorch (paired median) |", "|---|---:|---:|---:|"]
    for i, name in enumerate(r["name"] for r in cwb[0]):
        c = [run[i]["medianSeconds"] for run in cwb]
        t = [run[i]["medianSeconds"] for run in torch]
        ratio = statistics.median(a / b for a, b in zip(c, t))
        lines.append(f"| {name} | {statistics.median(c) * 1e3:.2f} | {statistics.median(t) * 1e3:.2f} | {ratio:.2f} |")
    sums = [(sum(r["medianSeconds"] for r in a), sum(r["medianSeconds"] for r in b)) for a, b in zip(cwb, torch)]
    lines.append(f"| sum | {statistics.median(a for a, _ in sums) * 1e3:.1f} | {statistics.median(b for _, b in sums) * 1e3:.1f} | "
                 f"{statistics.median(a / b for a, b in sums):.2f} |")
    print("\n".join(lines))
    write_markdown(markdown, lines)


def write_markdown(markdown, lines):
    if markdown:
        path = pathlib.Path(markdown)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rows", default=",".join(ROWS))
    ap.add_argument("--markdown")
    ap.add_argument("--layers", action="store_true", help="compare each conv of 256² inference instead")
    ap.add_argument("--batch", type=int, default=1, help="batch of --layers")
    args = ap.parse_args()
    if args.layers:
        compare_layers(args.pairs, args.batch, max(args.runs, 11), args.markdown)
        return
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
    write_markdown(args.markdown, lines)


if __name__ == "__main__":
    main()
