"""Writes the fixtures of CWBDataTests (run once, results committed):

    python3 Tests/CWBDataTests/Scripts/make_fixtures.py        # needs numpy and pillow

npy/: small arrays in .npy format versions 1.0, 2.0, 3.0 whose values follow
value[i] = (7 * i) % 251 over the flattened C-order array (the tests recompute them); the
study's layout (L (N,H,W) uint8 + ab split over two (N_k,H,W,2) files, OpenCV Lab encoding);
and malformed files, each of which must be refused with a clear error.
paired/: gray/ + color/ folders matched by name, one file without a partner on each side.
folder/: colour images and one gray one (a gray target to be detected).
"""
import os, struct
import numpy as np
from PIL import Image

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
npy = os.path.join(HERE, "npy")
for d in ("npy", "paired/gray", "paired/color", "folder"):
    os.makedirs(os.path.join(HERE, d), exist_ok=True)


def pattern(shape, dtype=np.uint8):
    return (np.arange(int(np.prod(shape))) * 7 % 251).astype(dtype).reshape(shape)


def save(name, arr, version):
    with open(os.path.join(npy, name), "wb") as f:
        np.lib.format.write_array(f, arr, version=version)


save("v1.npy", pattern((3, 4, 5)), (1, 0))
save("v2.npy", pattern((3, 4, 5)), (2, 0))
save("v3.npy", pattern((3, 4, 5)), (3, 0))
save("float32.npy", pattern((2, 3), np.float32), (1, 0))
# The study's layout: 4 samples of 6x5, L plus ab in two files (3 + 1 samples).
L, AB = pattern((4, 6, 5)), pattern((4, 6, 5, 2))
save("study_L.npy", L, (1, 0))
save("study_ab1.npy", np.ascontiguousarray(AB[:3]), (1, 0))
save("study_ab2.npy", np.ascontiguousarray(AB[3:]), (1, 0))


def raw_v1(header, data=b""):
    h = header.encode("latin1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data


good = open(os.path.join(npy, "v1.npy"), "rb").read()
bad = {
    "bad_magic.npy": b"\x93NUMPX" + good[6:],
    "bad_version.npy": good[:6] + b"\x04\x00" + good[8:],
    "header_cut.npy": good[:30],
    "no_shape.npy": raw_v1("{'descr': '|u1', 'fortran_order': False, }\n"),
    "fortran.npy": raw_v1("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }\n", b"\0" * 4),
    "float64.npy": raw_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", b"\0" * 16),
    "short_data.npy": raw_v1("{'descr': '|u1', 'fortran_order': False, 'shape': (10, 10), }\n", b"\0" * 50),
    "garbled_dict.npy": raw_v1("{'descr': '|u1', 'fortran_order': Maybe, 'shape': (2,), }\n", b"\0" * 2),
    "not_a_dict.npy": raw_v1("[1, 2, 3]\n", b""),
}
for name, data in bad.items():
    open(os.path.join(npy, name), "wb").write(data)
save("wrong_rank_L.npy", pattern((4, 6, 5, 1)), (1, 0))

rng = np.random.default_rng(5)
for name, ext in (("a", "png"), ("b", "jpg"), ("c", "png"), ("gray_only", "png")):
    colour = rng.integers(0, 256, size=(12, 16, 3), dtype=np.uint8)
    if name != "gray_only":
        Image.fromarray(colour).save(os.path.join(HERE, "paired/color", f"{name}.{ext}"), quality=95)
    Image.fromarray(colour).convert("L").save(os.path.join(HERE, "paired/gray", f"{name}.png"))
Image.fromarray(rng.integers(0, 256, size=(12, 16, 3), dtype=np.uint8)).save(os.path.join(HERE, "paired/color", "color_only.png"))

yy, xx = np.mgrid[0:20, 0:24]
for k in range(3):
    img = np.stack([120 + 100 * np.sin(xx / (2 + k)), 120 + 90 * np.cos(yy / 3), 100 + 0 * xx], 2).astype(np.uint8)
    Image.fromarray(img).save(os.path.join(HERE, "folder", f"colour{k}.png"))
Image.fromarray((80 + 4 * xx).astype(np.uint8)).convert("RGB").save(os.path.join(HERE, "folder", "gray.png"))
print("fixtures written to", os.path.normpath(HERE))
