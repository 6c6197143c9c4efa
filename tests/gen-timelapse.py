#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise: a fluorescence time-lapse as a microscope records it.

Textured nuclei with soft edges on a dark background, blurred by the optics,
recorded with photon (Poisson) noise, read noise and a camera offset, and
bleached as exp(-t / tau).  Nothing moves unless --drift is given.  The
frames are written as one multi-page 16-bit TIFF.

Usage: gen-timelapse.py OUT.tif [--size N] [--frames N] [--nuclei N]
                        [--tau T] [--photons P] [--seed S] [--drift DX,DY]
"""
import argparse
import sys

try:
    import numpy as np
    import tifffile
except ImportError as e:
    print('skip: %s' % e)
    sys.exit(77)


def blur(img, sigma):
    """Gaussian blur by the FFT (periodic edges: the background is flat)."""
    fy = np.fft.fftfreq(img.shape[0])[:, None]
    fx = np.fft.rfftfreq(img.shape[1])[None, :]
    kernel = np.exp(-2.0 * (np.pi * sigma) ** 2 * (fx ** 2 + fy ** 2))
    return np.fft.irfft2(np.fft.rfft2(img) * kernel, s=img.shape)


def specimen(size, nuclei, rng):
    """Fluorophore density: nuclei with chromatin texture, soft edges."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    texture = blur(rng.standard_normal((size, size)), 2.0)
    texture /= texture.std()
    density = np.zeros((size, size))
    for _ in range(nuclei):
        cx, cy = rng.uniform(0, size, 2)
        a = rng.uniform(18, 32)
        b = a * rng.uniform(0.7, 1.0)
        th = rng.uniform(0, np.pi)
        u = (xx - cx) * np.cos(th) + (yy - cy) * np.sin(th)
        v = -(xx - cx) * np.sin(th) + (yy - cy) * np.cos(th)
        d = np.sqrt((u / a) ** 2 + (v / b) ** 2)
        # A soft edge about 3 px wide, whatever the size.
        edge = 1.0 / (1.0 + np.exp((d - 1.0) * a / 1.5))
        level = rng.uniform(0.5, 1.0)
        density = np.maximum(density, level * edge)
    return density * np.clip(1.0 + 0.35 * texture, 0.2, None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--size', type=int, default=1024)
    ap.add_argument('--frames', type=int, default=40)
    ap.add_argument('--nuclei', type=int, default=180)
    ap.add_argument('--tau', type=float, default=60.0,
                    help='bleaching time constant in frames (0: none)')
    ap.add_argument('--photons', type=float, default=400.0,
                    help='photons at the brightest nucleus, frame 0')
    ap.add_argument('--background', type=float, default=5.0,
                    help='photons per pixel of the background')
    ap.add_argument('--read-noise', type=float, default=2.0)
    ap.add_argument('--offset', type=float, default=100.0)
    ap.add_argument('--blur', type=float, default=1.5)
    ap.add_argument('--drift', default='0,0',
                    help='px per frame, applied by the FFT (sub-pixel)')
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    obj = blur(specimen(args.size, args.nuclei, rng), args.blur)
    obj = np.clip(obj, 0, None)
    ddx, ddy = (float(v) for v in args.drift.split(','))
    fy = np.fft.fftfreq(args.size)[:, None]
    fx = np.fft.rfftfreq(args.size)[None, :]
    spectrum = np.fft.rfft2(obj)
    frames = []
    for t in range(args.frames):
        moved = obj
        if ddx or ddy:
            phase = np.exp(-2j * np.pi * (fx * ddx * t + fy * ddy * t))
            moved = np.clip(np.fft.irfft2(spectrum * phase, s=obj.shape), 0,
                            None)
        bleach = np.exp(-t / args.tau) if args.tau > 0 else 1.0
        expected = args.photons * bleach * moved + args.background
        counts = rng.poisson(expected).astype(np.float64)
        counts += rng.normal(0.0, args.read_noise, counts.shape)
        frames.append(np.clip(np.rint(counts + args.offset), 0,
                              65535).astype(np.uint16))
    tifffile.imwrite(args.out, np.stack(frames))


if __name__ == '__main__':
    main()
