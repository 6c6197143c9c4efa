#!/usr/bin/env python3
# gst-blockwise: a brightfield slide pair, registered, as a camera records it.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes a pair of 16-bit TIFFs of one brightfield slide with independent
noise: bright glass (about a third of the frame), absorbing textured tissue
elsewhere, a saturated patch, a mild vignetting, Poisson (shot) noise with
a camera gain, read noise and an offset.  Nothing moves between the two
images unless --shift or --region asks for it.

  make-brightfield.py OUTDIR [--seed N] [--glass 40000] [--shift DX,DY]
      [--region X,Y,W,H,DX,DY] [--warp X,Y,SIGMA,DX,DY] [--light GAIN]
      [--patch LEVEL]
      [--block B[,B...]]

--region moves one box of b (a stitching error), --warp displaces b
smoothly by (DX, DY) · exp(-r² / 2 SIGMA²) around (X, Y), --light
scales b's illumination by GAIN with a 10 % gradient across it.

OUTDIR gets a.tif, b.tif and truth.json (per block size of --block, per
block, from the noise-free scene: glass, blocks wholly bare glass; saturated, blocks
clipped at the maximum in both images whatever the noise; textured, blocks whose
noise-free deviation exceeds the noise's; moved, blocks of which --region
or --warp moves some pixel by at least 0.5 px)."""

import argparse
import json
import os

import numpy as np
import tifffile


def smooth_noise(rng, h, w, sigma):
    """Band-limited Gaussian noise of unit deviation (FFT filter)."""
    f = np.fft.fft2(rng.standard_normal((h, w)))
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(w)[None, :]
    f *= np.exp(-2 * (np.pi * sigma) ** 2 * (fx ** 2 + fy ** 2))
    out = np.real(np.fft.ifft2(f))
    return out / out.std()


def scene(args, rng, h, w):
    """The noise-free transmitted intensity (counts above the offset) and
    the glass / saturated masks."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    # Tissue boundary: a wavy vertical edge about a third from the left,
    # soft over a few pixels.
    edge = w / 3 + 40 * smooth_noise(rng, h, 1, 60)[:, 0:1]
    tissue = 1 / (1 + np.exp(-(xx - edge) / 3))
    # Absorbance: coarse and fine texture plus stained nuclei.
    absorb = 0.6 + 0.25 * smooth_noise(rng, h, w, 12) \
        + 0.12 * smooth_noise(rng, h, w, 2.5)
    for _ in range(120):
        cx, cy = rng.uniform(w / 3, w), rng.uniform(0, h)
        r = rng.uniform(6, 14)
        absorb += 0.8 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) /
                               (2 * r ** 2))
    absorb = np.clip(absorb, 0.05, None)
    # Vignetting: 10 % darker in the corners.
    vig = 1 - 0.1 * (((xx - w / 2) / (w / 2)) ** 2 +
                     ((yy - h / 2) / (h / 2)) ** 2) / 2
    img = args.glass * vig * np.exp(-absorb * tissue)
    # An over-exposed patch in the glass (a reflection, a hole in the
    # mounting medium): clipped at the maximum.
    sx, sy, sw, sh = 40, h - 200, 120, 100
    if args.patch:
        img[sy:sy + sh, sx:sx + sw] = args.patch * args.glass
    # Optics blur: the scene is band-limited, so shifting it does not ring.
    img = blurred(img, 1.2)
    # Truth from the noise-free scene: glass is within 1 % of the bare,
    # vignetted glass (no tissue, no rim of the patch).
    glass = np.abs(img - args.glass * vig) < 0.01 * args.glass
    return img, glass


def clipped(img, args):
    """Pixels clipped at the maximum whatever the noise."""
    return img + args.offset - 6 * np.sqrt(args.gain * img) > 65535


def blurred(img, sigma):
    """img convolved with a Gaussian (mirrored at the edges)."""
    h, w = img.shape
    pad = np.pad(img, 32, mode='reflect')
    f = np.fft.fft2(pad)
    fy = np.fft.fftfreq(pad.shape[0])[:, None]
    fx = np.fft.fftfreq(pad.shape[1])[None, :]
    f *= np.exp(-2 * (np.pi * sigma) ** 2 * (fx ** 2 + fy ** 2))
    return np.real(np.fft.ifft2(f))[32:32 + h, 32:32 + w]


def shifted(img, dx, dy):
    """img moved by (dx, dy) px (Fourier shift, sub-pixel exact; mirrored
    at the edges so that nothing wraps around)."""
    h, w = img.shape
    pad = np.pad(img, 32, mode='reflect')
    fy = np.fft.fftfreq(pad.shape[0])[:, None]
    fx = np.fft.fftfreq(pad.shape[1])[None, :]
    f = np.fft.fft2(pad) * np.exp(-2j * np.pi * (fx * dx + fy * dy))
    return np.real(np.fft.ifft2(f))[32:32 + h, 32:32 + w]


def record(rng, img, args):
    """Camera: shot noise at the gain (counts per electron), read noise,
    offset, 16-bit clip."""
    electrons = rng.poisson(np.clip(img, 0, None) / args.gain)
    counts = electrons * args.gain + rng.normal(args.offset, args.read,
                                                img.shape)
    return np.clip(np.rint(counts), 0, 65535).astype(np.uint16)


def warped(img, cx, cy, sigma, dx, dy):
    """img displaced by (dx, dy) * exp(-r^2 / 2 sigma^2) around (cx, cy)
    (bilinear sampling of the band-limited scene), and the displacement's
    length per pixel."""
    h, w = img.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    g = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma ** 2))
    sx = np.clip(xx - dx * g, 0, w - 1.001)
    sy = np.clip(yy - dy * g, 0, h - 1.001)
    x0, y0 = np.floor(sx).astype(int), np.floor(sy).astype(int)
    fx, fy = sx - x0, sy - y0
    out = (img[y0, x0] * (1 - fx) * (1 - fy) + img[y0, x0 + 1] * fx * (1 - fy)
           + img[y0 + 1, x0] * (1 - fx) * fy + img[y0 + 1, x0 + 1] * fx * fy)
    return out, np.hypot(dx, dy) * g


def block_fraction(mask, b):
    h, w = mask.shape
    m = mask[:h - h % b, :w - w % b].reshape(h // b, b, w // b, b)
    return m.mean(axis=(1, 3))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('outdir')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--width', type=int, default=1024)
    p.add_argument('--height', type=int, default=768)
    p.add_argument('--glass', type=float, default=40000,
                   help='glass level, counts above the offset')
    p.add_argument('--gain', type=float, default=2.0,
                   help='counts per photo-electron')
    p.add_argument('--read', type=float, default=6.0,
                   help='read noise, counts')
    p.add_argument('--offset', type=float, default=100.0)
    p.add_argument('--shift', default='0,0', help='DX,DY of b, px')
    p.add_argument('--region', default=None,
                   help='X,Y,W,H,DX,DY: only this box of b moves')
    p.add_argument('--warp', default=None,
                   help='X,Y,SIGMA,DX,DY: a smooth local displacement of b')
    p.add_argument('--patch', type=float, default=3.0,
                   help='the over-exposed patch, relative to the glass '
                   '(0: none)')
    p.add_argument('--light', type=float, default=1.0,
                   help="b's illumination relative to a's")
    p.add_argument('--block', default='16',
                   help='block sizes of the truth, px, comma-separated')
    args = p.parse_args()

    rng = np.random.default_rng(args.seed)
    h, w = args.height, args.width
    img, glass = scene(args, rng, h, w)
    dx, dy = (float(v) for v in args.shift.split(','))
    img_b = shifted(img, dx, dy) if (dx or dy) else img.copy()
    moved = np.zeros((h, w), bool)
    if args.region:
        x, y, rw, rh, rdx, rdy = (float(v) for v in args.region.split(','))
        x, y, rw, rh = int(x), int(y), int(rw), int(rh)
        img_b[y:y + rh, x:x + rw] = shifted(img, rdx, rdy)[y:y + rh,
                                                           x:x + rw]
        moved[y:y + rh, x:x + rw] = np.hypot(rdx, rdy) >= 0.5
    if args.warp:
        cx, cy, sigma, wdx, wdy = (float(v) for v in args.warp.split(','))
        img_b, length = warped(img_b, cx, cy, sigma, wdx, wdy)
        moved |= length >= 0.5
    if args.light != 1.0:
        ramp = 1 + 0.1 * (np.arange(w)[None, :] / w - 0.5)
        img_b = img_b * args.light * ramp
    os.makedirs(args.outdir, exist_ok=True)
    tifffile.imwrite(os.path.join(args.outdir, 'a.tif'),
                     record(rng, img, args))
    tifffile.imwrite(os.path.join(args.outdir, 'b.tif'),
                     record(rng, img_b, args))
    sat = clipped(img, args) & clipped(img_b, args)
    # What the camera records, without its noise.
    seen = np.minimum(img + args.offset, 65535)
    truth = {}
    for b in (int(v) for v in args.block.split(',')):
        rows, cols = h // b, w // b
        blocks = seen[:rows * b, :cols * b].reshape(rows, b, cols, b)
        texture = blocks.std(axis=(1, 3)) > np.sqrt(
            args.gain * blocks.mean(axis=(1, 3)) + args.read ** 2)
        truth[str(b)] = {
            'textured': texture.tolist(),
            'moved': (block_fraction(moved, b) > 0).tolist(),
            'glass': (block_fraction(glass, b) == 1).tolist(),
            'saturated': (block_fraction(sat, b) == 1).tolist(),
        }
    with open(os.path.join(args.outdir, 'truth.json'), 'w') as f:
        json.dump(truth, f)


if __name__ == '__main__':
    main()
