"""Two cwb builds against each other on one row of the U-Net suite, in alternation (A B, B A,
A B, …, each run a fresh process), so machine drift cancels: prints both medians and the median
of the paired ratios B/A. How the "what changed" figures in Benchmarks/README.md were measured.

    python Benchmarks/ab.py OLD_CWB NEW_CWB infer 256 1 [--pairs 12] [--runs 15]

Build the old one from a worktree (`git worktree add ../old <commit>`; `swift build -c release`).
"""
import argparse
import json
import statistics
import subprocess


def row(exe, mode, size, batch, runs):
    out = subprocess.run([exe, "bench", "unet-row", mode, str(size), str(batch), str(runs)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads([l for l in out.splitlines() if l.startswith("{")][-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("mode", choices=["train", "infer"])
    ap.add_argument("size", type=int)
    ap.add_argument("batch", type=int)
    ap.add_argument("--pairs", type=int, default=12)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    ra, rb = [], []
    for i in range(args.pairs):
        order = [(args.a, ra), (args.b, rb)] if i % 2 == 0 else [(args.b, rb), (args.a, ra)]
        for exe, rows in order:
            rows.append(row(exe, args.mode, args.size, args.batch, args.runs))
    ratios = sorted(b["medianSeconds"] / a["medianSeconds"] for a, b in zip(ra, rb))
    med = lambda rows, key: statistics.median(r[key] for r in rows)
    print(f"{args.mode} {args.size}² batch {args.batch}: A {med(ra, 'medianSeconds') * 1e3:.1f} ms, "
          f"B {med(rb, 'medianSeconds') * 1e3:.1f} ms, B/A paired median {statistics.median(ratios):.3f} "
          f"(ratios {' '.join(f'{r:.2f}' for r in ratios)}); added MiB A {med(ra, 'addedMiB'):.0f}, B {med(rb, 'addedMiB'):.0f}")


if __name__ == "__main__":
    main()
