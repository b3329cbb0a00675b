"""Write the PyTorch fixtures of CWBNNTests (run from the repository root):

    python Tests/CWBNNTests/make_fixtures.py

needs torch, torchvision (random VGG only), scikit-image, safetensors. Outputs go to
Tests/CWBNNTests/Fixtures/*.safetensors, small tensors only. Each fixture is documented where
it is made; CWBNNTests read them with cwb's own safetensors reader.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import numpy as np
import torch
from safetensors.torch import save_file
from skimage.color import lab2rgb
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "Models"))
import reference_models as R  # noqa: E402
import convert_vgg  # noqa: E402

OUT = os.path.join(HERE, "Fixtures")
torch.manual_seed(0)
torch.set_default_dtype(torch.float32)


def save(name, tensors, metadata=None):
    tensors = {k: v.detach().contiguous() for k, v in tensors.items()}
    save_file(tensors, os.path.join(OUT, name), metadata=metadata)
    print(name, len(tensors), "tensors")


def randomize_norms(module):
    """Non-trivial BatchNorm/InstanceNorm state so that loading and eval mode are tested."""
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data = 1 + 0.3 * torch.randn_like(m.weight)
            m.bias.data = 0.2 * torch.randn_like(m.bias)
            m.running_mean.data = 0.3 * torch.randn_like(m.running_mean)
            m.running_var.data = 0.5 + torch.rand_like(m.running_var)
            m.num_batches_tracked.fill_(3)
        elif isinstance(m, nn.InstanceNorm2d) and m.affine:
            m.weight.data = 1 + 0.3 * torch.randn_like(m.weight)
            m.bias.data = 0.2 * torch.randn_like(m.bias)


# ---- layers: output and gradients of sum(y * r) for input and parameters -------------------
def layer_case(out, order, name, module, x, train=True):
    randomize_norms(module)
    module.train(train)
    # safetensors files are sorted by the writer: keep PyTorch's state_dict order as metadata.
    order[f"{name}.keys"] = ",".join(module.state_dict().keys())
    for k, v in module.state_dict().items():
        out[f"{name}.p.{k}"] = v.clone()
    x = x.clone().requires_grad_(True)
    y = module(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    out[f"{name}.x"] = x
    out[f"{name}.r"] = r
    out[f"{name}.y"] = y
    out[f"{name}.gx"] = x.grad
    for k, p in module.named_parameters():
        out[f"{name}.g.{k}"] = p.grad
    for k, v in module.state_dict().items():
        out[f"{name}.after.{k}"] = v.clone()


def layers():
    o, order = {}, {}
    layer_case(o, order, "conv", nn.Conv2d(3, 4, 3, stride=2, padding=1), torch.randn(2, 3, 7, 7))
    layer_case(o, order, "conv_dil", nn.Conv2d(2, 3, (3, 2), stride=(1, 2), padding=(2, 0), dilation=(2, 1), bias=False),
               torch.randn(1, 2, 6, 5))
    layer_case(o, order, "convt", nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), torch.randn(2, 3, 4, 4))
    layer_case(o, order, "convt_op", nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1, bias=False),
               torch.randn(1, 2, 3, 3))
    layer_case(o, order, "bn_train", nn.BatchNorm2d(3), 2 * torch.randn(4, 3, 5, 5) + 1, train=True)
    layer_case(o, order, "bn_eval", nn.BatchNorm2d(3), 2 * torch.randn(4, 3, 5, 5) + 1, train=False)
    layer_case(o, order, "in_affine", nn.InstanceNorm2d(3, affine=True), torch.randn(2, 3, 4, 4))
    layer_case(o, order, "in_plain", nn.InstanceNorm2d(3), torch.randn(2, 3, 4, 4))
    layer_case(o, order, "linear", nn.Linear(5, 3), torch.randn(4, 5))
    layer_case(o, order, "maxpool", nn.MaxPool2d(3, stride=2, padding=1), torch.randn(2, 2, 7, 7))
    layer_case(o, order, "up_nearest", nn.Upsample(scale_factor=2, mode="nearest"), torch.randn(1, 2, 3, 3))
    layer_case(o, order, "up_bilinear", nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), torch.randn(1, 2, 3, 3))
    layer_case(o, order, "leaky", nn.LeakyReLU(0.2), torch.randn(2, 3, 4, 4))
    layer_case(o, order, "relu", nn.ReLU(), torch.randn(2, 3, 4, 4))
    layer_case(o, order, "tanh", nn.Tanh(), torch.randn(2, 3, 4, 4))
    layer_case(o, order, "sigmoid", nn.Sigmoid(), torch.randn(2, 3, 4, 4))
    layer_case(o, order, "res_short", R.ResBlock(3, 4), torch.randn(2, 3, 6, 6), train=True)
    layer_case(o, order, "res_same", R.ResBlock(4, 4), torch.randn(2, 4, 5, 5), train=False)
    save("layers.safetensors", o, metadata=order)


# ---- optimizers: parameters after each of 10 steps on a fixed non-quadratic loss ----------
def optimizers():
    o = {}
    p0, p1 = torch.randn(3, 4), torch.randn(5)
    t0, t1 = torch.randn(3, 4), torch.randn(5)
    w0, w1 = torch.rand(3, 4) + 0.5, torch.rand(5) + 0.5
    o.update({"p0": p0, "p1": p1, "t0": t0, "t1": t1, "w0": w0, "w1": w1})
    configs = {
        "sgd": lambda ps: torch.optim.SGD(ps, lr=0.05),
        "sgd_momentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
        "sgd_nesterov": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
        "adam": lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.01),
        "adam_clip": lambda ps: torch.optim.Adam(ps, lr=0.01),
        "radam": lambda ps: torch.optim.RAdam(ps, lr=0.01),
        "radam_betas": lambda ps: torch.optim.RAdam(ps, lr=0.01, betas=(0.8, 0.99), weight_decay=0.01),
    }
    for name, make in configs.items():
        a, b = p0.clone().requires_grad_(True), p1.clone().requires_grad_(True)
        opt = make([a, b])
        for k in range(1, 11):
            opt.zero_grad()
            loss = (w0 * (a - t0) ** 2).sum() + (w1 * (b - t1) ** 2).sum() + 0.1 * (a ** 4).sum() + 0.1 * (b ** 4).sum()
            loss.backward()
            if name == "adam_clip":
                torch.nn.utils.clip_grad_norm_([a, b], 1.0)
            opt.step()
            o[f"{name}.{k}.p0"] = a.clone()
            o[f"{name}.{k}.p1"] = b.clone()
    save("optim.safetensors", o)


# ---- models: a state_dict written by PyTorch, an input and the eval-mode output ------------
def models():
    o, order = {}, {}
    cases = {
        "unet": (R.UNet(R.UNetConfig(base=4, depth=3)), torch.randn(2, 1, 16, 16)),
        "pix2pix": (R.UNet(R.pix2pix_config(base=4, depth=3)), torch.randn(2, 1, 16, 16)),
        "patchgan": (R.PatchGAN(3, base=4, layers=3, norm="batch"), torch.randn(2, 3, 32, 32)),
        "critic": (R.PatchGAN(3, base=4, layers=3, norm="instance"), torch.randn(2, 3, 32, 32)),
        "resunet": (R.ResUNet(base=4, depth=3), torch.randn(2, 1, 16, 16)),
    }
    for name, (m, x) in cases.items():
        randomize_norms(m)
        m.eval()
        for k, v in m.state_dict().items():
            o[f"{name}.sd.{k}"] = v.clone()
        # safetensors files are sorted by the writer: keep PyTorch's state_dict order here.
        order[f"{name}.keys"] = ",".join(m.state_dict().keys())
        o[f"{name}.x"] = x
        with torch.no_grad():
            o[f"{name}.y"] = m(x)
    save("models.safetensors", o, metadata=order)


# ---- WGAN-GP: the penalty and the critic parameters' gradients (create_graph=True) --------
def gradient_penalty():
    o = {}
    critic = R.PatchGAN(3, base=4, layers=2, norm="instance")
    randomize_norms(critic)
    real, fake = torch.randn(2, 3, 16, 16), torch.randn(2, 3, 16, 16)
    alpha = torch.rand(2, 1, 1, 1)
    gp = R.gradient_penalty(critic, real, fake, alpha)
    # The last conv's bias does not change ∇ₓD: its gradient is zero (unused in the graph).
    grads = torch.autograd.grad(gp, list(critic.parameters()), allow_unused=True)
    grads = [torch.zeros_like(p) if g is None else g for p, g in zip(critic.parameters(), grads)]
    loss = critic(fake).mean() - critic(real).mean() + 10 * R.gradient_penalty(critic, real, fake, alpha)
    loss_grads = torch.autograd.grad(loss, list(critic.parameters()))
    for k, v in critic.state_dict().items():
        o[f"sd.{k}"] = v.clone()
    for (k, _), g, lg in zip(critic.named_parameters(), grads, loss_grads):
        o[f"gp_grad.{k}"] = g
        o[f"loss_grad.{k}"] = lg
    o.update({"real": real, "fake": fake, "alpha": alpha, "gp": gp.reshape(1), "loss": loss.reshape(1)})
    save("gp.safetensors", o)


# ---- colour and VGG: lab2rgb of scikit-image, a random torchvision VGG16 and its features --
def colour_and_vgg():
    o = {}
    L = torch.rand(2, 1, 8, 8) * 2 - 1
    ab = (torch.rand(2, 2, 8, 8) * 2 - 1) * 0.8
    ab2 = (torch.rand(2, 2, 8, 8) * 2 - 1) * 0.8

    def rgb(L, ab):
        lab = torch.cat([(L + 1) * 50, ab * 110], 1).permute(0, 2, 3, 1).numpy().astype(np.float64)
        return torch.from_numpy(lab2rgb(lab).astype(np.float32)).permute(0, 3, 1, 2).contiguous()

    o.update({"L": L, "ab": ab, "ab_target": ab2, "rgb": rgb(L, ab)})
    vgg_path = os.path.join(OUT, "vgg16_random_block2.safetensors")
    model = convert_vgg.convert("vgg16", vgg_path, random=True, seed=1, up_to="block2_conv1")
    features = model.features.eval()
    mean = torch.tensor([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)
    idx = convert_vgg.keras_layer_index("vgg16")

    def feats(x):
        out, y = {}, (x - mean) / std
        for i, layer in enumerate(features):
            y = layer(y)
            for n in ("block1_conv2", "block2_conv1"):
                if idx[n] == i:
                    out[n] = y
            if i >= idx["block2_conv1"]:
                break
        return out

    with torch.no_grad():
        fp, ft = feats(rgb(L, ab)), feats(rgb(L, ab2))
        o["block1_conv2"], o["block2_conv1"] = fp["block1_conv2"], fp["block2_conv1"]
        per = sum(((fp[n] - ft[n]) ** 2).mean() for n in fp) / len(fp)
    o["perceptual"] = per.reshape(1)
    save("colour_vgg.safetensors", o)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    layers()
    optimizers()
    models()
    gradient_penalty()
    colour_and_vgg()
