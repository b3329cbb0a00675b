"""Issue 7's large-photo check of `cwb colorize`: a 4000×3000 JPEG in, a 4000×3000 PNG out, whose
L channel (CIE Lab, scikit-image) must equal the input's up to 8-bit rounding; prints the time.

    python Benchmarks/colorize_check.py [--model Models/colorizer.safetensors] [--photo FILE]

The photo is a held-out photo of the embedded dataset enlarged to 4000×3000 (any JPEG/PNG can be
given instead). Needs a release build and numpy, pillow, scikit-image (pip; checking only).
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image
from skimage.color import rgb2lab

ROOT = pathlib.Path(__file__).resolve().parents[1]


def lightness(path):
    return rgb2lab(np.asarray(Image.open(path).convert("RGB")) / 255.0)[..., 0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(ROOT / "Models" / "colorizer.safetensors"))
    ap.add_argument("--photo", default=str(ROOT / "Datasets" / "landscapes" / "val" / "gc_categorization_operaHouse.jpg"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = pathlib.Path(tmp) / "big.jpg"
        Image.open(args.photo).convert("L").resize((4000, 3000), Image.LANCZOS).save(source, quality=92)
        result = pathlib.Path(tmp) / "big-colour.png"
        started = time.monotonic()
        subprocess.run([str(ROOT / ".build" / "release" / "cwb"), "colorize", str(source), "-o", str(result),
                        "--model", args.model], check=True)
        seconds = time.monotonic() - started
        a, b = lightness(source), lightness(result)
        d = np.abs(a - b)
        print(f"{source.name} {a.shape[1]}×{a.shape[0]} → {result.name} {b.shape[1]}×{b.shape[0]} in {seconds:.1f} s; "
              f"|ΔL| mean {d.mean():.3f}, p99 {np.percentile(d, 99):.3f}, max {d.max():.3f} (L on 0–100)")
        return 0 if a.shape == b.shape and d.mean() < 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
