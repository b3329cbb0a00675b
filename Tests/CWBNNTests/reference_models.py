"""PyTorch definitions of cwb's architectures (the CWBNN module of cwb mirrors them key for key).

Used by make_fixtures.py to produce test fixtures, and by the benchmark suite for the
side-by-side reference U-Net (`UNet(UNetConfig())` has 20 564 162 parameters).
A state_dict saved by cwb (safetensors) loads into these with `load_state_dict`.
"""
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class UNetConfig:
    in_channels: int = 1
    out_channels: int = 2
    base: int = 64
    depth: int = 5
    max_multiplier: int = 8
    kernel: int = 5
    slope: float = 0.2
    encoder_dropout: float = 0.2
    decoder_dropout: float = 0.5
    decoder_dropout_blocks: int = 2

    def width(self, level):
        return self.base * min(2 ** level, self.max_multiplier)


def pix2pix_config(base=64, depth=8):
    return UNetConfig(base=base, depth=depth, kernel=4, encoder_dropout=0.0,
                      decoder_dropout=0.5, decoder_dropout_blocks=3)


class UNet(nn.Module):
    """The study's final U-Net / benchmark reference / pix2pix generator family. L in, ab out."""

    def __init__(self, c: UNetConfig = UNetConfig()):
        super().__init__()
        self.c = c
        down, prev = [], c.in_channels
        for i in range(c.depth):
            w = c.width(i)
            layers = [nn.Conv2d(prev, w, c.kernel, 2, (c.kernel - 1) // 2, bias=False)]
            if i > 0:
                layers.append(nn.BatchNorm2d(w))
            layers.append(nn.LeakyReLU(c.slope))
            if c.encoder_dropout > 0:
                layers.append(nn.Dropout(c.encoder_dropout))
            down.append(nn.Sequential(*layers))
            prev = w
        up = []
        for j in range(c.depth - 1):
            w = c.width(c.depth - 2 - j)
            layers = [nn.ConvTranspose2d(prev, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w)]
            if j < c.decoder_dropout_blocks and c.decoder_dropout > 0:
                layers.append(nn.Dropout(c.decoder_dropout))
            layers.append(nn.ReLU())
            up.append(nn.Sequential(*layers))
            prev = 2 * w
        self.down = nn.ModuleList(down)
        self.up = nn.ModuleList(up)
        self.final = nn.ConvTranspose2d(prev, c.out_channels, 4, 2, 1, bias=True)

    def forward(self, x):
        skips = []
        for d in self.down:
            x = d(x)
            skips.append(x)
        for j, u in enumerate(self.up):
            x = torch.cat([u(x), skips[self.c.depth - 2 - j]], 1)
        return torch.tanh(self.final(x))


class PatchGAN(nn.Module):
    """pix2pix NLayerDiscriminator; norm 'batch', 'instance' (affine) or 'none'."""

    def __init__(self, in_channels=3, base=64, layers=3, norm="batch"):
        super().__init__()
        use_bias = norm != "batch"

        def make_norm(c):
            if norm == "batch":
                return [nn.BatchNorm2d(c)]
            if norm == "instance":
                return [nn.InstanceNorm2d(c, affine=True)]
            if norm == "instance_plain":
                return [nn.InstanceNorm2d(c, affine=False)]
            return []

        seq = [nn.Conv2d(in_channels, base, 4, 2, 1), nn.LeakyReLU(0.2)]
        prev = base
        for n in range(1, layers + 1):
            w = base * min(2 ** n, 8)
            stride = 2 if n < layers else 1
            seq += [nn.Conv2d(prev, w, 4, stride, 1, bias=use_bias)] + make_norm(w) + [nn.LeakyReLU(0.2)]
            prev = w
        seq.append(nn.Conv2d(prev, 1, 4, 1, 1))
        self.model = nn.Sequential(*seq)

    def forward(self, x):
        return self.model(x)


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Conv2d(cin, cout, 1, bias=False) if cin != cout else None

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class DownSampleConv(nn.Module):
    def __init__(self, cin, cout, batchnorm=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 4, 2, 1, bias=not batchnorm)
        self.bn = nn.BatchNorm2d(cout) if batchnorm else None

    def forward(self, x):
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return nn.functional.leaky_relu(x, 0.2)


class UpSampleConv(nn.Module):
    def __init__(self, cin, cout, dropout):
        super().__init__()
        self.deconv = nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.drop = nn.Dropout(dropout) if dropout > 0 else None

    def forward(self, x):
        x = self.bn(self.deconv(x))
        if self.drop is not None:
            x = self.drop(x)
        return torch.relu(x)


class ResUNet(nn.Module):
    """The CWGAN generator: DownSampleConv + ResBlock per level, UpSampleConv with dropout."""

    def __init__(self, in_channels=1, out_channels=2, base=64, depth=5, max_multiplier=8, dropout=0.2):
        super().__init__()
        self.depth = depth
        width = lambda i: base * min(2 ** i, max_multiplier)
        enc, res, dec, prev = [], [], [], in_channels
        for i in range(depth):
            enc.append(DownSampleConv(prev, width(i), batchnorm=i > 0))
            res.append(ResBlock(width(i), width(i)))
            prev = width(i)
        for j in range(depth - 1):
            w = width(depth - 2 - j)
            dec.append(UpSampleConv(prev, w, dropout))
            prev = 2 * w
        self.encoders = nn.ModuleList(enc)
        self.res = nn.ModuleList(res)
        self.decoders = nn.ModuleList(dec)
        self.final = nn.ConvTranspose2d(prev, out_channels, 4, 2, 1)

    def forward(self, x):
        skips = []
        for e, r in zip(self.encoders, self.res):
            x = r(e(x))
            skips.append(x)
        for j, d in enumerate(self.decoders):
            x = torch.cat([d(x), skips[self.depth - 2 - j]], 1)
        return torch.tanh(self.final(x))


def gradient_penalty(critic, real, fake, alpha):
    """mean((‖∇ D(x̂)‖₂ − 1)²), x̂ = α·real + (1−α)·fake, differentiable (create_graph)."""
    x = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(True)
    scores = critic(x)
    (g,) = torch.autograd.grad(scores, x, torch.ones_like(scores), create_graph=True)
    norm = torch.sqrt((g.reshape(g.shape[0], -1) ** 2).sum(1) + 1e-12)
    return ((norm - 1) ** 2).mean()


if __name__ == "__main__":
    n = sum(p.numel() for p in UNet().parameters())
    print("reference U-Net parameters:", n)
