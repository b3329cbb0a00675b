"""Generates Fixtures/core_parity.json: inputs, outputs and gradients of core ops in PyTorch.

Run once (needs torch; not needed by the tests): python Tests/CWBCoreTests/make_fixtures.py
Every tensor is stored as {"shape": [...], "data": [...]} in row-major order (float32 values).
"""
import json
import pathlib
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)
out = {}


def put(name, t):
    t = t.detach().contiguous()
    out[name] = {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


def leaf(name, *shape, scale=1.0):
    t = (torch.randn(*shape) * scale).requires_grad_(True)
    put(name, t)
    return t


# conv2d with stride, padding, dilation and bias
x = leaf("conv.x", 2, 3, 7, 6)
w = leaf("conv.w", 4, 3, 3, 3, scale=0.5)
b = leaf("conv.b", 4)
y = F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2))
gy = torch.randn_like(y); put("conv.gy", gy); put("conv.y", y)
gx, gw, gb = torch.autograd.grad(y, (x, w, b), gy)
put("conv.gx", gx); put("conv.gw", gw); put("conv.gb", gb)

# conv_transpose2d with output_padding and bias
x = leaf("convt.x", 2, 4, 3, 4)
w = leaf("convt.w", 4, 3, 4, 4, scale=0.5)
b = leaf("convt.b", 3)
y = F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)
gy = torch.randn_like(y); put("convt.gy", gy); put("convt.y", y)
gx, gw, gb = torch.autograd.grad(y, (x, w, b), gy)
put("convt.gx", gx); put("convt.gw", gw); put("convt.gb", gb)

# batch norm, training (batch statistics, running-stat update) and evaluation
x = leaf("bn.x", 4, 3, 5, 5)
w = leaf("bn.w", 3)
b = leaf("bn.b", 3)
rm = torch.randn(3); rv = torch.rand(3) + 0.5
put("bn.rm0", rm); put("bn.rv0", rv)
y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1, eps=1e-5)
put("bn.train.y", y); put("bn.rm1", rm); put("bn.rv1", rv)
gy = torch.randn_like(y); put("bn.gy", gy)
gx, gw, gb = torch.autograd.grad(y, (x, w, b), gy)
put("bn.train.gx", gx); put("bn.train.gw", gw); put("bn.train.gb", gb)
y = F.batch_norm(x, rm, rv, w, b, training=False, eps=1e-5)
put("bn.eval.y", y)
gx, gw, gb = torch.autograd.grad(y, (x, w, b), gy)
put("bn.eval.gx", gx); put("bn.eval.gw", gw); put("bn.eval.gb", gb)

# instance norm with affine parameters
x = leaf("in.x", 2, 3, 4, 5)
w = leaf("in.w", 3)
b = leaf("in.b", 3)
y = F.instance_norm(x, weight=w, bias=b, eps=1e-5)
gy = torch.randn_like(y); put("in.gy", gy); put("in.y", y)
gx, gw, gb = torch.autograd.grad(y, (x, w, b), gy)
put("in.gx", gx); put("in.gw", gw); put("in.gb", gb)

# a 3-layer conv critic and the WGAN-GP gradient penalty, differentiated twice
params = {
    "c1.w": leaf("gp.c1.w", 8, 2, 4, 4, scale=0.2), "c1.b": leaf("gp.c1.b", 8, scale=0.1),
    "c2.w": leaf("gp.c2.w", 16, 8, 4, 4, scale=0.1), "c2.b": leaf("gp.c2.b", 16, scale=0.1),
    "n2.w": leaf("gp.n2.w", 16, scale=0.5), "n2.b": leaf("gp.n2.b", 16, scale=0.1),
    "c3.w": leaf("gp.c3.w", 1, 16, 3, 3, scale=0.1), "c3.b": leaf("gp.c3.b", 1, scale=0.1),
}


def critic(v):
    h = F.leaky_relu(F.conv2d(v, params["c1.w"], params["c1.b"], stride=2, padding=1), 0.2)
    h = F.conv2d(h, params["c2.w"], params["c2.b"], stride=2, padding=1)
    h = F.leaky_relu(F.instance_norm(h, weight=params["n2.w"], bias=params["n2.b"]), 0.2)
    return F.conv2d(h, params["c3.w"], params["c3.b"], padding=1).mean(dim=(1, 2, 3))


real = torch.randn(3, 2, 16, 16); fake = torch.randn(3, 2, 16, 16); alpha = torch.rand(3, 1, 1, 1)
put("gp.real", real); put("gp.fake", fake); put("gp.alpha", alpha)
xhat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
d = critic(xhat)
put("gp.d", d)
(g,) = torch.autograd.grad(d.sum(), xhat, create_graph=True)
put("gp.grad_xhat", g)
gp = ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()
put("gp.penalty", gp.reshape(1))
# The last bias does not reach dD/dxhat, so its gradient is zero (None in PyTorch).
grads = torch.autograd.grad(gp, list(params.values()), allow_unused=True)
for (name, p), gr in zip(params.items(), grads):
    put("gp.grad." + name, torch.zeros_like(p) if gr is None else gr)

# forward values of assorted ops
x = torch.randn(2, 2, 5, 6); put("ops.x", x)
put("ops.upsample_bilinear", F.interpolate(x, size=(7, 13), mode="bilinear", align_corners=False))
put("ops.upsample_nearest", F.interpolate(x, scale_factor=2, mode="nearest"))
put("ops.max_pool", F.max_pool2d(x, 3, stride=1, padding=1))
put("ops.avg_pool", F.avg_pool2d(x, (2, 3), stride=2, padding=1))
put("ops.var", x.var(dim=(0, 2)))
put("ops.logsumexp_free", (x.exp().sum(dim=1).log()))
t = torch.rand(2, 2, 5, 6); put("ops.target", t)
put("ops.bce", F.binary_cross_entropy_with_logits(x, t).reshape(1))
put("ops.l1", F.l1_loss(x, t).reshape(1))
put("ops.mse", F.mse_loss(x, t).reshape(1))
a = torch.randn(3, 4, 5); bm = torch.randn(5, 2); put("ops.a", a); put("ops.bm", bm)
put("ops.matmul", a @ bm)

path = pathlib.Path(__file__).parent / "Fixtures" / "core_parity.json"
path.write_text(json.dumps(out, separators=(",", ":")))
print(f"wrote {path} ({path.stat().st_size} bytes, {len(out)} tensors)")
