"""Check that models saved by cwb load into the PyTorch reference architectures.

    CWBNN_EXPORT_DIR=/tmp/cwb-export swift test --filter ModelTests/testExportForPyTorch
    python Tests/CWBNNTests/check_cwb_export.py /tmp/cwb-export

For every NAME.safetensors that cwb wrote (a state_dict with the architecture in its metadata)
and NAME.io.safetensors (an input x and cwb's eval-mode output y), builds the model from
reference_models.py, loads the state_dict strictly and compares outputs.
"""
import glob
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

import reference_models as R  # noqa: E402


def build(meta):
    a = meta["architecture"]
    if a == "unet":
        c = R.UNetConfig(int(meta["in_channels"]), int(meta["out_channels"]), int(meta["base"]), int(meta["depth"]),
                         int(meta["max_multiplier"]), int(meta["kernel"]), float(meta["slope"]),
                         float(meta["encoder_dropout"]), float(meta["decoder_dropout"]), int(meta["decoder_dropout_blocks"]))
        return R.UNet(c)
    if a == "patchgan":
        return R.PatchGAN(int(meta["in_channels"]), int(meta["base"]), int(meta["layers"]), meta["norm"])
    if a == "resunet":
        return R.ResUNet(int(meta["in_channels"]), int(meta["out_channels"]), int(meta["base"]), int(meta["depth"]),
                         int(meta["max_multiplier"]), float(meta["dropout"]))
    raise SystemExit(f"unknown architecture {a}")


def main(folder):
    failures = 0
    for path in sorted(glob.glob(os.path.join(folder, "*.safetensors"))):
        if path.endswith(".io.safetensors"):
            continue
        with safe_open(path, "pt") as f:
            meta = f.metadata()
        model = build(meta)
        model.load_state_dict(load_file(path), strict=True)
        model.eval()
        io = load_file(path[: -len(".safetensors")] + ".io.safetensors")
        with torch.no_grad():
            y = model(io["x"])
        err = (y - io["y"]).abs().max().item()
        ok = torch.allclose(y, io["y"], rtol=1e-4, atol=2e-5)
        failures += not ok
        print(f"{os.path.basename(path)}: {meta['architecture']} loads strictly; max |Δ| = {err:.2e} {'ok' if ok else 'MISMATCH'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1])
