"""Writes the image fixtures of CWBImagingTests (run once, results committed):

    python3 Tests/CWBImagingTests/Scripts/make_fixtures.py     # needs numpy and pillow

PNG files are written by the small encoder below, so every colour type, bit depth and Adam7
interlacing is covered with no gamma chunks. Each fixture NAME.png / NAME.jpg has
NAME.expected.rgb beside it: the 8-bit RGB bytes a correct decoder returns (alpha composited
onto white: (c*a + 255*(255-a) + 127) // 255). JPEG expectations come from Pillow's decoder
(libjpeg-turbo). corrupt/ holds broken files, each of which must give an error.
"""
import io, os, struct, zlib
import numpy as np
from PIL import Image

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
rng = np.random.default_rng(3)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_rows(samples, depth):
    """samples: (h, w*channels) integer array -> raw scanlines with filter byte 0."""
    out = bytearray()
    for row in samples:
        out.append(0)
        if depth == 16:
            out += row.astype(">u2").tobytes()
        elif depth == 8:
            out += row.astype(np.uint8).tobytes()
        else:
            per = 8 // depth
            padded = np.zeros(((len(row) + per - 1) // per) * per, dtype=np.uint8)
            padded[: len(row)] = row
            for i in range(0, len(padded), per):
                byte = 0
                for v in padded[i : i + per]:
                    byte = (byte << depth) | int(v)
                out.append(byte)
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, samples, depth, color_type, palette=None, trns=None, interlace=False):
    """samples: (h, w, channels) integers."""
    h, w, c = samples.shape
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0)
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = samples[y0::dy, x0::dx]
            if sub.size:
                raw += pack_rows(sub.reshape(sub.shape[0], -1), depth)
    else:
        raw = pack_rows(samples.reshape(h, -1), depth)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    if palette is not None:
        data += chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).reshape(-1)))
    if trns is not None:
        data += chunk(b"tRNS", bytes(np.asarray(trns, dtype=np.uint8)))
    data += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    open(path, "wb").write(data)


def composite(rgb8, alpha8):
    a = alpha8.astype(np.int64)[..., None]
    return ((rgb8.astype(np.int64) * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)


def expect(path, rgb):
    open(path.rsplit(".", 1)[0] + ".expected.rgb", "wb").write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())


def to16(v8):
    noise = rng.integers(-100, 101, size=v8.shape)
    return np.clip(v8.astype(np.int64) * 257 + noise, 0, 65535)


# ---- PNG: every colour type and bit depth -----------------------------------------------
W, H = 13, 9   # odd sizes exercise partial bytes and Adam7 passes
rgb = rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)
gray = rng.integers(0, 256, size=(H, W, 1), dtype=np.uint8)
alpha = rng.choice(np.array([0, 1, 64, 128, 200, 255], dtype=np.uint8), size=(H, W, 1))
png = os.path.join(HERE, "png")


def case(name, samples, depth, ctype, expected, **kw):
    p = os.path.join(png, name + ".png")
    write_png(p, samples, depth, ctype, **kw)
    expect(p, expected)


g3 = np.repeat(gray, 3, axis=2)
case("rgb8", rgb, 8, 2, rgb)
case("rgb16", to16(rgb), 16, 2, rgb)
case("gray8", gray, 8, 0, g3)
case("gray16", to16(gray), 16, 0, g3)
for d in (1, 2, 4):
    v = rng.integers(0, 2 ** d, size=(H, W, 1))
    case(f"gray{d}", v, d, 0, np.repeat(v * (255 // (2 ** d - 1)), 3, axis=2))
case("graya8", np.concatenate([gray, alpha], 2), 8, 4, composite(g3, alpha[..., 0]))
case("graya16", to16(np.concatenate([gray, alpha], 2)), 16, 4, composite(g3, alpha[..., 0]))
case("rgba8", np.concatenate([rgb, alpha], 2), 8, 6, composite(rgb, alpha[..., 0]))
case("rgba16", to16(np.concatenate([rgb, alpha], 2)), 16, 6, composite(rgb, alpha[..., 0]))
pal = rng.integers(0, 256, size=(16, 3), dtype=np.uint8)
idx = rng.integers(0, 16, size=(H, W, 1))
case("palette8", idx, 8, 3, pal[idx[..., 0]], palette=pal)
case("palette4", idx, 4, 3, pal[idx[..., 0]], palette=pal)
trns = rng.choice(np.array([0, 128, 255], dtype=np.uint8), size=16)
case("palette8_trns", idx, 8, 3, composite(pal[idx[..., 0]], trns[idx[..., 0]]), palette=pal, trns=trns)
case("rgb8_interlaced", rgb, 8, 2, rgb, interlace=True)
case("rgb16_interlaced", to16(rgb), 16, 2, rgb, interlace=True)
case("gray2_interlaced", (gray >> 6), 2, 0, np.repeat((gray >> 6) * 85, 3, axis=2), interlace=True)
case("rgba16_interlaced", to16(np.concatenate([rgb, alpha], 2)), 16, 6, composite(rgb, alpha[..., 0]), interlace=True)
case("palette4_interlaced", idx, 4, 3, pal[idx[..., 0]], palette=pal, interlace=True)

# ---- JPEG: baseline with each subsampling, progressive, gray ------------------------------
JW, JH = 37, 29
yy, xx = np.mgrid[0:JH, 0:JW]
smooth = np.stack([128 + 100 * np.sin(xx / 6.0), 128 + 90 * np.cos(yy / 5.0), 128 + 80 * np.sin((xx + yy) / 9.0)], 2)
smooth = np.clip(smooth, 0, 255).astype(np.uint8)
jpeg = os.path.join(HERE, "jpeg")


def jcase(name, img, **kw):
    p = os.path.join(jpeg, name + ".jpg")
    img.save(p, "JPEG", **kw)
    expect(p, np.asarray(Image.open(p).convert("RGB")))


src = Image.fromarray(smooth)
jcase("baseline444", src, quality=92, subsampling=0)
jcase("baseline422", src, quality=92, subsampling=1)
jcase("baseline420", src, quality=92, subsampling=2)
jcase("progressive", src, quality=92, subsampling=2, progressive=True)
jcase("gray", src.convert("L"), quality=92)
np.asarray(smooth).tofile(os.path.join(jpeg, "source.rgb"))  # the picture before compression

# ---- corrupt files ---------------------------------------------------------------------
bad = os.path.join(HERE, "corrupt")
big = rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8)
buf = io.BytesIO(); write_png(os.path.join(bad, "_tmp.png"), big, 8, 2)
good_png = open(os.path.join(bad, "_tmp.png"), "rb").read(); os.remove(os.path.join(bad, "_tmp.png"))
open(os.path.join(bad, "truncated.png"), "wb").write(good_png[: len(good_png) * 6 // 10])
flipped = bytearray(good_png); mid = len(flipped) // 2
for i in range(mid, mid + 8): flipped[i] ^= 0xFF
open(os.path.join(bad, "flipped_bytes.png"), "wb").write(bytes(flipped))
jb = io.BytesIO(); Image.fromarray(big).save(jb, "JPEG", quality=90); good_jpg = jb.getvalue()
open(os.path.join(bad, "truncated.jpg"), "wb").write(good_jpg[: len(good_jpg) * 7 // 10])
fj = bytearray(good_jpg); sof = fj.index(b"\xff\xc0")
fj[sof + 2 : sof + 4] = b"\x00\x01"   # a marker length shorter than its own length field
open(os.path.join(bad, "flipped_bytes.jpg"), "wb").write(bytes(fj))
open(os.path.join(bad, "wrong_magic.png"), "wb").write(b"this is a text file, not a picture\n")
open(os.path.join(bad, "empty.jpg"), "wb").write(b"")
huge = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 200000, 200000, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
open(os.path.join(bad, "huge.png"), "wb").write(huge)
hj = bytearray(good_jpg); hj[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)
open(os.path.join(bad, "huge.jpg"), "wb").write(bytes(hj))
print("fixtures written to", os.path.normpath(HERE))
