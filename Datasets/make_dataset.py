"""Builds the embedded dataset Datasets/landscapes/{train,val}/ and Datasets/SOURCES.md from the
229-photo training pool of ../shared/data/TRAINING_POOL.md (real photos from four Debian 12
packages). Run once, results committed:

    # 1. fetch the pool as TRAINING_POOL.md says, into a folder POOL holding dl/ (the .debs),
    #    deb/ (dpkg -x of each package), gc/ (the unpacked GCompris bundles) and photos/
    # 2. python3 Datasets/make_dataset.py POOL path/to/gcompris_photos.tsv   (needs pillow with LittleCMS)

Each photo is read with Pillow (JPEG and WebP); an embedded ICC profile is converted to sRGB
(this matters for the 5 wide-gamut ones: Adobe RGB / camera RGB); the photo is resized so its
shorter side is 256 px (Lanczos), centre-cropped to at most 256x384 (or 384x256), and saved as
JPEG quality 90 without chroma subsampling (4:4:4: colour is what the models learn). The
GCompris Brandenburg Gate of `categorization` is dropped (near-duplicate of the one in
`explore_monuments`). A fixed seeded 15 % of the photos go to val/, which training never sees.
"""
import glob, io, os, random, re, subprocess, sys
from PIL import Image, ImageCms

SHORT, LONG_MAX, QUALITY, VAL_FRACTION, SEED = 256, 384, 90, 0.15, 20261128
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "landscapes")
DROP = {"gc_categorization_brandenburgGate.webp"}


def paragraphs(path):
    """DEP-5 copyright files and GCompris READMEs: 'Key: value' paragraphs; 'Files:' lists
    file names on the same line or the following (possibly indented) lines."""
    paras, cur, key = [], {}, None
    for line in open(path, encoding="utf-8", errors="replace").read().splitlines():
        if not line.strip():
            if cur: paras.append(cur)
            cur, key = {}, None
            continue
        m = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
        if m and not line.startswith(" "):
            key = m.group(1).lower()
            cur.setdefault(key, [])
            if m.group(2): cur[key].append(m.group(2).strip())
        elif re.match(r"^\s*[\w./*-]+\.(webp|jpg|jpeg|png|svg)$", line):
            cur.setdefault("files", []).append(line.strip())   # a file list without 'Files:'
        elif key:
            cur[key].append(line.strip())
    if cur: paras.append(cur)
    return paras


def lookup(paras, name):
    for p in paras:
        files = " ".join(p.get("files", [])).split()
        if name in files:
            author = "; ".join(p.get("copyright", []))
            if p.get("comment"):
                author += " (" + " ".join(p["comment"]) + ")"
            return (author, " ".join(p.get("license", [])), " ".join(p.get("source", [])))
    return ("", "", "")


def lookup_stem(paras, path):
    """debian/copyright of gcompris names files by their original path and extension."""
    stem = os.path.splitext(path)[0]
    for p in paras:
        for f in " ".join(p.get("files", [])).split():
            if os.path.splitext(f)[0] == stem:
                return lookup(paras, f)
    return ("", "", "")


def deb_version(pool, pkg):
    deb = glob.glob(os.path.join(pool, "dl", f"{pkg}_*.deb"))[0]
    return subprocess.check_output(["dpkg-deb", "-f", deb, "Version"], text=True).strip()


def origin(pool, tsv, name):
    """(package, original path, licence, author/copyright, source URL) of a pool photo."""
    if name.startswith("mate_"):
        pkg, base = "mate-backgrounds", name[len("mate_"):]
        cr = paragraphs(os.path.join(pool, "deb", pkg, "usr/share/doc", pkg, "copyright"))
        c, l, s = lookup(cr, "nature/" + base)
        return pkg, "usr/share/backgrounds/mate/nature/" + base, l, c, s
    for prefix, pkg, key in (("lomiri16_", "lomiri-wallpapers-16.04", "16.04/"), ("lomiri20_", "lomiri-wallpapers-20.04", "20.04/")):
        if name.startswith(prefix):
            base = name[len(prefix):]
            cr = paragraphs(glob.glob(os.path.join(pool, "deb", pkg, "usr/share/doc/*/copyright"))[0])
            c, l, s = lookup(cr, key + base)
            return pkg, "usr/share/backgrounds/" + base, l, c, s
    for bundle, inner, lic in tsv:
        if name == f"gc_{bundle}_{os.path.basename(inner)}":
            # The README beside the image (or above it) names the author and source.
            c = s = ""
            d = os.path.dirname(inner)
            while d and not c:
                readme = os.path.join(pool, "gc", bundle, d, "README")
                if os.path.exists(readme):
                    rel = os.path.relpath(inner, d)
                    c, _, s = lookup(paragraphs(readme), rel)
                d = os.path.dirname(d)
            if not c:
                dc = paragraphs(os.path.join(pool, "deb", "gcompris-qt-data", "usr/share/doc/gcompris-qt-data/copyright"))
                c, l2, s = lookup_stem(dc, inner[len("gcompris/"):])
                if lic.startswith("not in bundle") and l2:
                    lic = l2 + " (debian/copyright)"
            c = c or "not named in the package"
            return "gcompris-qt-data", f"usr/share/gcompris-qt/rcc/{bundle}.rcc:{inner}", lic, c, s
    raise SystemExit(f"no origin known for {name}")


def prepare(path):
    im = Image.open(path)
    icc = im.info.get("icc_profile")
    im = im.convert("RGB")
    if icc:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        im = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode="RGB")
    w, h = im.size
    scale = SHORT / min(w, h)
    nw, nh = max(SHORT, round(w * scale)), max(SHORT, round(h * scale))
    im = im.resize((nw, nh), Image.LANCZOS)
    cw, ch = min(nw, LONG_MAX), min(nh, LONG_MAX)
    left, top = (nw - cw) // 2, (nh - ch) // 2
    return im.crop((left, top, left + cw, top + ch)), (w, h), bool(icc)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    pool, tsv_path = sys.argv[1], sys.argv[2]
    tsv = [l.rstrip("\n").split("\t")[:4] for l in open(tsv_path) if not l.startswith("#") and l.strip()]
    tsv = [(b, p, lic) for b, p, _, lic in tsv]
    names = sorted(n for n in os.listdir(os.path.join(pool, "photos")) if n not in DROP)
    rng = random.Random(SEED)
    val = set(rng.sample(names, round(len(names) * VAL_FRACTION)))
    versions = {p: deb_version(pool, p) for p in
                ("mate-backgrounds", "lomiri-wallpapers-16.04", "lomiri-wallpapers-20.04", "gcompris-qt-data")}
    rows = []
    for split in ("train", "val"):
        os.makedirs(os.path.join(OUT, split), exist_ok=True)
        for old in glob.glob(os.path.join(OUT, split, "*.jpg")):
            os.remove(old)
    for n in names:
        split = "val" if n in val else "train"
        img, (w, h), tagged = prepare(os.path.join(pool, "photos", n))
        out_name = os.path.splitext(n)[0] + ".jpg"
        img.save(os.path.join(OUT, split, out_name), "JPEG", quality=QUALITY, subsampling=0, optimize=True)
        pkg, orig, lic, author, source = origin(pool, tsv, n)
        rows.append((split, out_name, f"{pkg} {versions[pkg]}", orig, f"{w}x{h}", "yes" if tagged else "",
                     lic, author, source))
    with open(os.path.join(HERE, "SOURCES.md"), "w") as f:
        f.write("# Sources of the embedded dataset `Datasets/landscapes`\n\n")
        f.write("Made by `Datasets/make_dataset.py` from the Debian 12 (bookworm) packages below "
                "(fetched with `apt-get download`, unpacked with `dpkg -x`; GCompris photos taken "
                "out of its Qt resource bundles). Every photo: resized so the shorter side is 256 px, "
                "centre-cropped to at most 256x384, ICC-tagged photos converted to sRGB, saved as "
                "JPEG q90 4:4:4. `val/` is a fixed seeded 15 % held out from training.\n\n")
        f.write(f"{len(rows)} photos: {sum(r[0] == 'train' for r in rows)} train, "
                f"{sum(r[0] == 'val' for r in rows)} val. Licences and authors are as given by "
                "debian/copyright (MATE, Lomiri) or the README beside each image in GCompris "
                "(licence column from the package's README, as listed in gcompris_photos.tsv). "
                "CC-BY and CC-BY-SA photos need this attribution when redistributed; the "
                "derived images keep the licence of their original.\n\n")
        f.write("| split | file | package (version) | original path in the package | original size | ICC converted | licence | author / copyright | source |\n")
        f.write("|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            f.write("| " + " | ".join(x.replace("|", "/") for x in r) + " |\n")
    print(f"{len(rows)} photos written to {OUT}")


if __name__ == "__main__":
    main()
