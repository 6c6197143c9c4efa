# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise tests and benchmarks: the shift between two images
measured independently of the package, by the whole-frame
cross-correlation (both images windowed the same way), its peak found on
the pixel grid, then refined on grids 10 and `upsample` times finer around
it by local DFTs (no FFT of the upsampled size)."""
import numpy as np


def _local_dft(cross, ys, xs):
    h, w = cross.shape
    ky = np.exp(2j * np.pi * np.outer(ys, np.fft.fftfreq(h)))
    kx = np.exp(2j * np.pi * np.outer(np.fft.fftfreq(w), xs))
    return (ky @ cross @ kx).real


def measured_shift(ref, img, upsample=200):
    """(dx, dy): img's content moved by this against ref's, px."""
    ref = ref.astype(np.float64)
    img = img.astype(np.float64)
    window = np.outer(np.hanning(ref.shape[0]), np.hanning(ref.shape[1]))
    fa = np.fft.fft2((ref - ref.mean()) * window)
    fb = np.fft.fft2((img - img.mean()) * window)
    cross = fb * np.conj(fa)
    cc = np.fft.ifft2(cross).real
    py, px = np.unravel_index(np.argmax(cc), cc.shape)
    h, w = cc.shape
    py = py - h if py > h // 2 else py
    px = px - w if px > w // 2 else px
    # a tenth of a pixel over +-1.5 px, then 1/upsample over +-0.1 px
    x, y = float(px), float(py)
    for step, reach in ((0.1, 1.5), (1.0 / upsample, 0.1)):
        steps = np.arange(-reach, reach + step / 2, step)
        fine = _local_dft(cross, y + steps, x + steps)
        iy, ix = np.unravel_index(np.argmax(fine), fine.shape)
        x, y = x + steps[ix], y + steps[iy]
    return x, y


def _apply(m, x, y):
    return m[0] + m[1] * x + m[2] * y, m[3] + m[4] * x + m[5] * y


def covered(shape, motions, margin=3):
    """The window (rows, columns slices) of a frame of shape whose pixels
    have their source inside the frame, margin px from its edges, under
    every motion (6 coefficients: x' = m0 + m1 x + m2 y, y' = m3 + m4 x +
    m5 y): where a correction by those motions has real content."""
    h, w = shape
    x0, y0, x1, y1 = 0, 0, w, h
    for m in motions:
        while True:
            cs = [_apply(m, x, y) for x in (x0, x1 - 1) for y in (y0, y1 - 1)]
            xs = [c[0] for c in cs]
            ys = [c[1] for c in cs]
            if (min(xs) >= margin and max(xs) <= w - 1 - margin
                    and min(ys) >= margin and max(ys) <= h - 1 - margin):
                break
            if min(xs) < margin:
                x0 += 1
            if max(xs) > w - 1 - margin:
                x1 -= 1
            if min(ys) < margin:
                y0 += 1
            if max(ys) > h - 1 - margin:
                y1 -= 1
    return slice(y0, y1), slice(x0, x1)


def residuals(reference, frames, motions, upsample=200):
    """Per frame, the shift left between the corrected frame and the
    reference over the window its motion leaves covered."""
    out = []
    for frame, m in zip(frames, motions):
        win = covered(reference.shape, [m])
        out.append(measured_shift(reference[win], frame[win], upsample))
    return np.array(out)
