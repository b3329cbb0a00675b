"""Golden values for the colour and metric tests, from scikit-image (run once, committed):

    python3 Tests/CWBImagingTests/Scripts/make_goldens.py      # needs numpy, pillow, scikit-image (0.26 made the committed goldens)

Writes small test images to Fixtures/metrics/ (truth_K.png, pred_K.png) and
Fixtures/metrics/goldens.json with, computed by scikit-image on those images:
  rgb2lab of each truth; lab2rgb of Lab triples (in and out of gamut, as skimage clips);
  PSNR (data_range 255); SSIM with skimage's defaults (channel_axis=-1, data_range=255) and
  Wang's variant (gaussian_weights, sigma 1.5, use_sample_covariance False); the colorfulness
  of Hasler & Suesstrunk in numpy; the gray baseline (truth's L, a = b = 0) as bytes.
"""
import json, os
import numpy as np
from PIL import Image
import skimage
from skimage.color import rgb2lab, lab2rgb
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "metrics")
rng = np.random.default_rng(11)


def colorfulness(img):
    r, g, b = [img[..., i].astype(np.float64) for i in range(3)]
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(np.sqrt(rg.std() ** 2 + yb.std() ** 2) + 0.3 * np.sqrt(rg.mean() ** 2 + yb.mean() ** 2))


def make_pair(k, w, h):
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([128 + 110 * np.sin(xx / (3.0 + k)), 128 + 100 * np.cos(yy / (4.0 + k)),
                     128 + 90 * np.sin((xx - yy) / 5.0)], 2)
    truth = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    pred = np.clip(truth.astype(np.float64) + rng.normal(0, 8 + 10 * k, base.shape) + 6 * k, 0, 255).astype(np.uint8)
    return truth, pred


goldens = {"skimage_version": skimage.__version__, "images": []}
for k, (w, h) in enumerate([(24, 20), (31, 17), (16, 16)]):
    truth, pred = make_pair(k, w, h)
    Image.fromarray(truth).save(os.path.join(OUT, f"truth_{k}.png"))
    Image.fromarray(pred).save(os.path.join(OUT, f"pred_{k}.png"))
    lab = rgb2lab(truth)
    gray_lab = lab.copy(); gray_lab[..., 1:] = 0
    baseline = np.clip(np.floor(lab2rgb(gray_lab) * 255 + 0.5), 0, 255).astype(np.uint8)
    goldens["images"].append({
        "truth": f"truth_{k}.png", "pred": f"pred_{k}.png", "width": w, "height": h,
        "lab": lab.reshape(-1).tolist(),
        "psnr": float(peak_signal_noise_ratio(truth, pred, data_range=255)),
        "ssim": float(structural_similarity(truth, pred, channel_axis=-1, data_range=255)),
        "ssim_gaussian": float(structural_similarity(truth, pred, channel_axis=-1, data_range=255,
                                                     gaussian_weights=True, sigma=1.5,
                                                     use_sample_covariance=False)),
        "colorfulness_truth": colorfulness(truth), "colorfulness_pred": colorfulness(pred),
        "gray_baseline": baseline.reshape(-1).tolist(),
        "psnr_gray_baseline": float(peak_signal_noise_ratio(truth, baseline, data_range=255)),
        "ssim_gray_baseline": float(structural_similarity(truth, baseline, channel_axis=-1, data_range=255)),
    })

# Lab -> RGB on triples across the whole Lab box: many are out of gamut and get clipped.
triples = np.stack([rng.uniform(0, 100, 400), rng.uniform(-128, 127, 400), rng.uniform(-128, 127, 400)], 1)
triples = np.concatenate([triples, [[0, 0, 0], [100, 0, 0], [50, 0, 0], [5, 90, -120], [95, -100, 120]]])
rgb = lab2rgb(triples.reshape(-1, 1, 3)).reshape(-1, 3)
goldens["lab2rgb"] = {"lab": triples.reshape(-1).tolist(), "rgb": rgb.reshape(-1).tolist()}
with open(os.path.join(OUT, "goldens.json"), "w") as f:
    json.dump(goldens, f)
print("goldens written with scikit-image", skimage.__version__)
