#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise: a fluorescence time-lapse as a microscope records it.

Textured nuclei with soft edges on a dark background, blurred by the optics,
recorded with photon (Poisson) noise, read noise and a camera offset, and
bleached as exp(-t / tau).  Nothing moves unless --drift is given.  The
frames are written as one multi-page 16-bit TIFF.

With --move-box, only the nuclei centred in that box drift (by --move px
per frame): a displaced region among still ones.

Intensity changes without motion, each ramped linearly from its first to
its last value over the frames: --gain (counts per photoelectron),
--offset (the camera's), --background (photons per pixel) and --gradient
(a tilt of the illumination: 1 + A times -1 .. 1 across the frame along
--gradient-angle).

Usage: gen-timelapse.py OUT.tif [--size N] [--frames N] [--nuclei N]
                        [--tau T] [--photons P] [--seed S] [--drift DX,DY]
                        [--move-box X,Y,W,H --move DX,DY]
                        [--gain G0[,G1]] [--offset O0[,O1]]
                        [--background B0[,B1]] [--gradient A0[,A1]]
                        [--gradient-angle DEG]
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


def specimen(size, centres, rng):
    """Fluorophore density: nuclei with chromatin texture, soft edges."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    texture = blur(rng.standard_normal((size, size)), 2.0)
    texture /= texture.std()
    density = np.zeros((size, size))
    for cx, cy in centres:
        a = rng.uniform(18, 32)
        b = a * rng.uniform(0.7, 1.0)
        th = rng.uniform(0, np.pi)
        u = (xx - cx) * np.cos(th) + (yy - cy) * np.sin(th)
        v = -(xx - cx) * np.sin(th) + (yy - cy) * np.cos(th)
        d = np.sqrt((u / a) ** 2 + (v / b) ** 2)
        # A soft edge about 3 px wide, whatever the size.
        edge = 0.5 * (1.0 - np.tanh((d - 1.0) * a / 3.0))
        level = rng.uniform(0.5, 1.0)
        density = np.maximum(density, level * edge)
    return density * np.clip(1.0 + 0.35 * texture, 0.2, None)


def shifted(img, dx, dy):
    """img moved by (dx, dy) px, sub-pixel, by the FFT."""
    if dx == 0 and dy == 0:
        return img
    fy = np.fft.fftfreq(img.shape[0])[:, None]
    fx = np.fft.rfftfreq(img.shape[1])[None, :]
    phase = np.exp(-2j * np.pi * (fx * dx + fy * dy))
    return np.clip(np.fft.irfft2(np.fft.rfft2(img) * phase, s=img.shape), 0,
                   None)


def ramp(spec, frames):
    """V0[,V1]: per frame, linear from V0 at the first to V1 at the last."""
    v = [float(x) for x in spec.split(',')]
    return np.linspace(v[0], v[-1], frames)


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
    ap.add_argument('--background', default='5',
                    help='photons per pixel of the background (B0[,B1])')
    ap.add_argument('--read-noise', type=float, default=2.0)
    ap.add_argument('--offset', default='100',
                    help='camera offset, counts (O0[,O1])')
    ap.add_argument('--gain', default='1',
                    help='counts per photoelectron (G0[,G1])')
    ap.add_argument('--gradient', default='0',
                    help='illumination tilt amplitude (A0[,A1])')
    ap.add_argument('--gradient-angle', type=float, default=30.0,
                    help='direction of the tilt, degrees from x')
    ap.add_argument('--blur', type=float, default=1.5)
    ap.add_argument('--drift', default='0,0',
                    help='px per frame, applied by the FFT (sub-pixel)')
    ap.add_argument('--move-box', default='',
                    help='X,Y,W,H: only the nuclei centred here move')
    ap.add_argument('--move', default='0,0',
                    help='px per frame of the nuclei in --move-box')
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    centres = rng.uniform(0, args.size, (args.nuclei, 2))
    box = [float(v) for v in args.move_box.split(',')] if args.move_box \
        else [0, 0, 0, 0]
    inside = ((centres[:, 0] >= box[0]) & (centres[:, 0] < box[0] + box[2])
              & (centres[:, 1] >= box[1]) & (centres[:, 1] < box[1] + box[3]))
    still = specimen(args.size, centres[~inside], rng)
    moving = specimen(args.size, centres[inside], rng)
    ddx, ddy = (float(v) for v in args.drift.split(','))
    mdx, mdy = (float(v) for v in args.move.split(','))
    background, offset, gain, gradient = (
        ramp(v, args.frames) for v in (args.background, args.offset,
                                       args.gain, args.gradient))
    yy, xx = np.mgrid[0:args.size, 0:args.size] / (args.size - 1.0)
    th = np.radians(args.gradient_angle)
    tilt = (xx - 0.5) * np.cos(th) + (yy - 0.5) * np.sin(th)
    tilt /= np.abs(tilt).max()
    frames = []
    for t in range(args.frames):
        obj = np.maximum(still, shifted(moving, mdx * t, mdy * t))
        moved = np.clip(blur(shifted(obj, ddx * t, ddy * t), args.blur), 0,
                        None)
        bleach = np.exp(-t / args.tau) if args.tau > 0 else 1.0
        light = np.clip(1.0 + gradient[t] * tilt, 0, None)
        expected = args.photons * bleach * light * moved + background[t]
        counts = gain[t] * rng.poisson(expected).astype(np.float64)
        counts += rng.normal(0.0, args.read_noise, counts.shape)
        frames.append(np.clip(np.rint(counts + offset[t]), 0,
                              65535).astype(np.uint16))
    tifffile.imwrite(args.out, np.stack(frames))


if __name__ == '__main__':
    main()
