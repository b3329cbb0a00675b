"""Convert torchvision's VGG16/VGG19 feature weights to safetensors for cwb's perceptual loss.

cwb never downloads weights. On a machine with internet (or with a torchvision .pth file):

    pip install torch torchvision safetensors
    python Models/convert_vgg.py --variant vgg19 --pretrained --out Models/vgg19_features.safetensors
    python Models/convert_vgg.py --variant vgg16 --weights vgg16-397923af.pth --out Models/vgg16_features.safetensors

Only `features.*` (the convolutional part) is written, under torchvision's key names
(`features.0.weight`, …), as F32 (or F16 with --f16). `--up-to block2_conv1` keeps the layers
up to that Keras-named layer (smaller files when only shallow features are used).
`--random --seed N` writes a randomly initialised network: the tests use it, because weights
cannot be downloaded on the build machines.
"""
import argparse

import torch
import torchvision
from safetensors.torch import save_file

BLOCKS = {"vgg16": [2, 2, 3, 3, 3], "vgg19": [2, 2, 4, 4, 4]}


def keras_layer_index(variant):
    """Keras layer name (block5_conv4, block3_pool) -> index of its output in `features`."""
    out, index = {}, 0
    for b, convs in enumerate(BLOCKS[variant]):
        for c in range(convs):
            out[f"block{b + 1}_conv{c + 1}"] = index + 1  # the ReLU after the conv
            index += 2
        out[f"block{b + 1}_pool"] = index
        index += 1
    return out


def build(variant, pretrained, weights, random, seed):
    ctor = getattr(torchvision.models, variant)
    if random:
        torch.manual_seed(seed)
        return ctor(weights=None)
    if weights:
        model = ctor(weights=None)
        model.load_state_dict(torch.load(weights, map_location="cpu"))
        return model
    if pretrained:
        return ctor(weights="DEFAULT")
    raise SystemExit("give --pretrained, --weights FILE or --random")


def convert(variant, out, pretrained=False, weights=None, random=False, seed=0, up_to=None, f16=False):
    model = build(variant, pretrained, weights, random, seed)
    last = keras_layer_index(variant)[up_to] if up_to else len(model.features) - 1
    sd = {}
    for k, v in model.state_dict().items():
        if not k.startswith("features."):
            continue
        if int(k.split(".")[1]) > last:
            continue
        sd[k] = v.detach().to(torch.float16 if f16 else torch.float32).contiguous()
    source = "random" if random else (weights or "torchvision pretrained")
    save_file(sd, out, metadata={"variant": variant, "source": str(source), "format": "torchvision features"})
    return model


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", choices=sorted(BLOCKS), default="vgg19")
    p.add_argument("--pretrained", action="store_true", help="torchvision's ImageNet weights (downloads)")
    p.add_argument("--weights", help="a torchvision VGG state_dict .pth file")
    p.add_argument("--random", action="store_true", help="random initialisation (for tests)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--up-to", help="keep layers up to this Keras layer name, e.g. block5_conv4")
    p.add_argument("--f16", action="store_true", help="store as F16 (half the size)")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    convert(a.variant, a.out, a.pretrained, a.weights, a.random, a.seed, a.up_to, a.f16)
    print("wrote", a.out)
