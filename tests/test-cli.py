#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise: the gst-blockcorr command line, run as a user runs it.

Makes image pairs and stacks (TIFF with tifffile, PNG with GStreamer), runs
the program, and checks its exit statuses and messages, and its outputs read
back (float32 TIFF grids, CSV, JSON) against an independent brute-force
reference computed here in double precision with numpy.

Usage: test-cli.py PATH-TO-gst-blockcorr WORK-DIR
Exit 77 (a skip) when numpy or tifffile is missing.
"""
import csv
import errno
import json
import math
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
    import tifffile
except ImportError as e:
    print('skip: %s' % e)
    sys.exit(77)

PROG, WORK = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL: ' + what)


def run(*args, expect=None, env=None):
    try:
        p = subprocess.run([PROG] + list(args), capture_output=True,
                           text=True, env=env, timeout=120)
    except subprocess.TimeoutExpired:
        # A run here takes about a second: two minutes is a hang.
        check(False, '%s: still running after 120 s' % ' '.join(args))
        return subprocess.CompletedProcess(args, None, '', '')
    if expect is not None:
        check(p.returncode == expect, '%s: exit %d, expected %d; stderr: %s'
              % (' '.join(args), p.returncode, expect, p.stderr.strip()))
    return p


def reference(a, b, bw, bh):
    """Per-block statistics, two-pass in double precision (trim mode)."""
    rows, cols = a.shape[0] // bh, a.shape[1] // bw
    out = {k: np.full((rows, cols), np.nan) for k in
           ('r', 'mean-0', 'mean-1', 'stddev-0', 'stddev-1', 'covariance')}
    for j in range(rows):
        for i in range(cols):
            x = a[j*bh:(j+1)*bh, i*bw:(i+1)*bw].astype(np.float64)
            y = b[j*bh:(j+1)*bh, i*bw:(i+1)*bw].astype(np.float64)
            dx, dy = x - x.mean(), y - y.mean()
            sxx, syy, sxy = (dx*dx).sum(), (dy*dy).sum(), (dx*dy).sum()
            out['mean-0'][j, i], out['mean-1'][j, i] = x.mean(), y.mean()
            out['stddev-0'][j, i] = math.sqrt(sxx / x.size)
            out['stddev-1'][j, i] = math.sqrt(syy / x.size)
            out['covariance'][j, i] = sxy / x.size
            if sxx > 0 and syy > 0:
                out['r'][j, i] = sxy / math.sqrt(sxx * syy)
    return out


def check_grids(outdir, pages, label, bw, bh):
    """pages: list of (a, b) arrays, one per frame."""
    for name in ('r', 'mean-0', 'mean-1', 'stddev-0', 'stddev-1',
                 'covariance'):
        path = os.path.join(outdir, name + '.tif')
        if not os.path.exists(path):
            check(False, '%s: no %s.tif' % (label, name))
            continue
        got = tifffile.imread(path)
        if got.ndim == 2:
            got = got[None]
        check(got.dtype == np.float32, '%s %s.tif is float32' % (label, name))
        check(got.shape[0] == len(pages), '%s %s.tif has %d pages, not %d'
              % (label, name, got.shape[0], len(pages)))
        for k, (a, b) in enumerate(pages):
            ref = reference(a, b, bw, bh)[name]
            g = got[k].astype(np.float64)
            same_nan = np.array_equal(np.isnan(g), np.isnan(ref))
            check(same_nan, '%s %s page %d: NaN where the reference has NaN'
                  % (label, name, k))
            ok = np.isnan(ref) | (np.abs(g - ref) <=
                                  1e-5 * np.maximum(np.abs(ref), 1))
            check(ok.all(), '%s %s page %d: %d blocks differ from the '
                  'reference' % (label, name, k, (~ok).sum()))


def texture(seed, shape=(96, 128)):
    rng = np.random.default_rng(seed)
    return rng.normal(3000, 400, shape).clip(0, 65535).astype(np.uint16)


def shifted(a, seed, dx=2, region=(slice(32, 64), slice(32, 96))):
    rng = np.random.default_rng(seed)
    b = a.copy()
    b[region] = np.roll(a, dx, axis=1)[region]
    b = b.astype(np.float64) + rng.normal(0, 20, a.shape)
    return b.clip(0, 65535).astype(np.uint16)


if os.path.isdir(WORK):
    shutil.rmtree(WORK)
os.makedirs(WORK)
w = lambda *p: os.path.join(WORK, *p)

# 1. A registered pair (exit 0) and a pair with a shifted region (exit 1),
#    file names with spaces and a comma; grids against the reference.
a = texture(1)
b_same = (a.astype(np.float64) + np.random.default_rng(2).normal(0, 20, a.shape)
          ).clip(0, 65535).astype(np.uint16)
b_shift = shifted(a, 3)
tifffile.imwrite(w('ref, one.tif'), a)
tifffile.imwrite(w('same copy.tif'), b_same)
tifffile.imwrite(w('shifted copy.tif'), b_shift, byteorder='>')
p = run('-o', w('out same'), w('ref, one.tif'), w('same copy.tif'), expect=0)
check(p.stdout.startswith('registered'), 'registered pair says so: ' + p.stdout)
check_grids(w('out same'), [(a, b_same)], 'registered', 16, 16)
p = run('-o', w('out shift'), '-b', '16x8', w('ref, one.tif'),
        w('shifted copy.tif'), expect=1)
check(p.stdout.startswith('needs registration: 1 region, x 32-96, y 32-64')
      and 'displaced by (+2.0, +0.0) px' in p.stdout,
      'shifted pair says where and how far: ' + p.stdout)
check_grids(w('out shift'), [(a, b_shift)], 'shifted', 16, 8)
# A region moved further than the default search radius: found with a
# radius that covers it.
tifffile.imwrite(w('shift3.tif'), shifted(a, 4, dx=3))
p = run('-o', w('out shift3'), '--search-radius', '3', w('ref, one.tif'),
        w('shift3.tif'), expect=1)
check('x 32-96, y 32-64' in p.stdout
      and 'displaced by (+3.0, +0.0) px' in p.stdout,
      '3 px shift with --search-radius 3: ' + p.stdout)
# "The rest is aligned": the median r of the blocks outside the region's
# box, which here differs from the median of all blocks at two decimals.
noisy = texture(5)
noisy_region = (slice(8, 64), slice(32, 96))
noisy_b = noisy.copy()
noisy_b[noisy_region] = np.roll(noisy, 2, axis=1)[noisy_region]
noisy_b = (noisy_b.astype(np.float64) + np.random.default_rng(6).normal(
    0, 200, noisy.shape)).clip(0, 65535).astype(np.uint16)
tifffile.imwrite(w('noisy.tif'), noisy)
tifffile.imwrite(w('noisy region.tif'), noisy_b)
p = run('-o', w('out rest'), '-b', '16x8', w('noisy.tif'),
        w('noisy region.tif'), expect=1)
ref = reference(noisy, noisy_b, 16, 8)['r']
rows_at, cols_at = np.mgrid[0:ref.shape[0], 0:ref.shape[1]]
outside = ~((cols_at * 16 >= 32) & (cols_at * 16 < 96) & (rows_at * 8 >= 8)
            & (rows_at * 8 < 64)) & ~np.isnan(ref)
rest = 'the rest is aligned (median r %.2f)' % np.median(ref[outside])
check('x 32-96, y 8-64' in p.stdout and rest in p.stdout
      and '%.2f' % np.median(ref[outside])
      != '%.2f' % np.nanmedian(ref), 'a region and %s: %s' % (rest, p.stdout))
with open(w('out shift', 'summary.csv'), newline='') as f:
    rows = list(csv.DictReader(f))
check(len(rows) == 1, 'one CSV row')
ref = reference(a, b_shift, 16, 8)['r']
valid = ref[~np.isnan(ref)]
check(rows[0]['source-0'] == w('ref, one.tif'), 'CSV source-0 quoted')
check(int(rows[0]['valid']) == valid.size, 'CSV valid count')
check(abs(float(rows[0]['median']) - np.median(valid)) < 1e-5, 'CSV median')
check(abs(float(rows[0]['below-threshold']) - (valid < 0.5).mean()) < 1e-9,
      'CSV below-threshold')
with open(w('out shift', 'heatmap.png'), 'rb') as f:
    head = f.read(24)
check(head[:8] == b'\x89PNG\r\n\x1a\n', 'heatmap.png is a PNG')
width = int.from_bytes(head[16:20], 'big')
height = int.from_bytes(head[20:24], 'big')
check(900 <= max(width, height) <= 1400,
      'heatmap.png about 1000 px on its long side (%dx%d)' % (width, height))

# 2. Stacks: a single reference against a 3-page stack, two stacks frame by
#    frame, a pattern of files, JSON lines; and stacks of different lengths.
stack = np.stack([b_same, b_shift, b_same])
tifffile.imwrite(w('stack.tif'), stack, photometric='minisblack')
p = run('-o', w('out stack'), '--json', w('ref, one.tif'), w('stack.tif'),
        expect=1)
lines = [json.loads(l) for l in p.stdout.splitlines()]
check([l['verdict'] for l in lines] == ['registered',
      'needs-registration', 'registered'], 'JSON verdicts per frame')
region = lines[1]['largest-regions']
check(lines[1]['regions'] == 1 and len(region) == 1
      and (region[0]['x'], region[0]['y'], region[0]['width'],
           region[0]['height']) == (32, 32, 64, 32)
      and abs(region[0]['shift-x'] - 2) < 0.1
      and abs(region[0]['shift-y']) < 0.1,
      'JSON region where the copy was moved: %r' % region)
check(lines[1]['message'].startswith('needs registration'), 'JSON message')
check([l['frame'] for l in lines] == [0, 1, 2], 'JSON frame numbers')
check(lines[1]['source-1'].endswith('stack.tif (page 2)'), 'page labels')
check_grids(w('out stack'), [(a, s) for s in stack], 'stack', 16, 16)
for k in range(3):
    check(os.path.exists(w('out stack', 'heatmap-%04d.png' % k)),
          'heatmap-%04d.png' % k)
check(os.path.exists(w('out stack', 'median-r.png')), 'median-r.png')

refs = np.stack([a, texture(7), texture(8)])
cmps = np.stack([b_same, shifted(refs[1], 9), refs[2]])
for k in range(3):
    tifffile.imwrite(w('ref_%02d.tif' % k), refs[k])
    tifffile.imwrite(w('cmp_%02d.tif' % k), cmps[k])
p = run('-o', w('out seq'), '-q', w('ref_%02d.tif'), w('cmp_%02d.tif'),
        expect=1)
check(p.stdout == '', '--quiet prints nothing')
check_grids(w('out seq'), list(zip(refs, cmps)), 'sequence', 16, 16)

tifffile.imwrite(w('two.tif'), stack[:2], photometric='minisblack')
p = run('-o', w('out bad'), w('stack.tif'), w('two.tif'), expect=2)
check('3 frames' in p.stderr and '2' in p.stderr, 'length mismatch names '
      'both counts: ' + p.stderr)

# 3. Errors: one or two lines naming the file and the cause, exit 2.
p = run(w('ref, one.tif'), w('missing.tif'), expect=2)
check('missing.tif' in p.stderr and len(p.stderr.splitlines()) <= 2,
      'missing file: ' + p.stderr)
tifffile.imwrite(w('small.tif'), a[:64, :64])
p = run(w('ref, one.tif'), w('small.tif'), expect=2)
check('128x96' in p.stderr and '64x64' in p.stderr, 'size mismatch names '
      'both sizes: ' + p.stderr)
with open(w('junk.tif'), 'wb') as f:
    f.write(b'this is not an image at all' * 10)
p = run(w('ref, one.tif'), w('junk.tif'), expect=2)
check('junk.tif' in p.stderr, 'unreadable file named: ' + p.stderr)
tifffile.imwrite(w('float.tif'), a.astype(np.float32))
p = run(w('ref, one.tif'), w('float.tif'), expect=2)
check('float' in p.stderr and 'float.tif' in p.stderr,
      'float TIFF refused with its cause: ' + p.stderr)
p = run('--range', '1:0', w('ref, one.tif'), w('same copy.tif'), expect=2)
p = run('--block', '0', w('ref, one.tif'), w('same copy.tif'), expect=2)
p = run(w('ref, one.tif'), expect=2)
p = run('--help', expect=0)
check('Exit status' in p.stdout, '--help documents the exit statuses')

# 4. A PNG (through GStreamer's own decoder) against a TIFF of the same
#    pixels: identical images, r = 1 wherever defined.
png = w('pattern.png')
gst = subprocess.run(['gst-launch-1.0', '-q', 'videotestsrc', 'num-buffers=1',
                      'pattern=zone-plate', 'kx2=12', 'ky2=20', '!',
                      'video/x-raw,format=GRAY8,width=128,height=96', '!',
                      'pngenc', '!', 'filesink', 'location=' + png],
                     capture_output=True)
if gst.returncode == 0:
    p = run('-o', w('out png'), png, png, expect=0)
    r = tifffile.imread(w('out png', 'r.tif'))
    check(np.nanmin(r) > 0.99999, 'a PNG against itself: r = 1')

# 5. Input arguments.  A name with a % is a pattern only when it holds one
#    %d, %i or %u (0 flag, width up to 16) and %% for a literal %; anything
#    else is a plain name, never a printf format.
for arg in ('cells%s_day1.tif', '%n_d.tif', 'x%2147483647d.tif', 'x%17d.tif',
            'two%d_%d.tif', 'x%-3d.tif', 'x%ld.tif', 'x%'):
    p = run(w('ref, one.tif'), w(arg), expect=2)
    check(w(arg) in p.stderr and 'no such file' in p.stderr,
          'not a pattern, a missing name: %r: %s' % (arg, p.stderr))
shutil.copy(w('same copy.tif'), w('cells%s_day1.tif'))
p = run('-o', w('out literal'), w('ref, one.tif'), w('cells%s_day1.tif'),
        expect=0)
# Names made by Python's printf-style % operator, the reference.  A
# pattern from index 0 against a two-page stack, one from index 1 with a
# literal % and space padding.
pair = np.stack([b_same, b_shift])
tifffile.imwrite(w('pair.tif'), pair, photometric='minisblack')
for pattern, first in (('seq a_%03i.tif', 0), ('100%%_%3d.tif', 1)):
    for k in range(2):
        tifffile.imwrite(w(pattern % (first + k)), pair[k])
    out = w('out ' + pattern.replace('%', 'pct'))
    p = run('-o', out, '--json', w('ref, one.tif'), w(pattern), expect=1)
    got = [json.loads(l)['source-1'] for l in p.stdout.splitlines()]
    check(got == [w(pattern % (first + k)) for k in range(2)],
          'pattern %r: frames %r' % (pattern, got))
    check_grids(out, [(a, s) for s in pair], 'pattern ' + pattern, 16, 16)
# Generated patterns: odd prefixes and suffixes, widths, flags.
rng = np.random.default_rng(11)
alphabet = ['x', ' ', ',', '%%', '\u00e9', '#', '-', '_', '1']
for case in range(4):
    lit = lambda: ''.join(rng.choice(alphabet, rng.integers(0, 4)))
    width = '' if rng.random() < 0.3 else str(rng.integers(1, 17))
    pattern = 'gen%d %s%%%s%s%s%s.tif' % (case, lit(), '0' if rng.random() <
                                          0.5 else '', width,
                                          rng.choice(['d', 'i', 'u']), lit())
    first = int(rng.integers(0, 2))
    names = [pattern % (first + k) for k in range(int(rng.integers(1, 4)))]
    for n in names:
        shutil.copy(w('same copy.tif'), w(n))
    p = run('-o', w('out gen'), '--json', w('ref, one.tif'), w(pattern),
            expect=0)
    got = [json.loads(l)['source-1'] for l in p.stdout.splitlines()]
    check(got == [w(n) for n in names], 'generated pattern %r: %r, not %r'
          % (pattern, got, names))

p = run('--range', '0:inf', w('ref, one.tif'), w('same copy.tif'), expect=2)
for r in ('nan:1', '-inf:0', ':1', '0:', '1:1', '-1e308:1e308', '0:1:2'):
    p = run('--range', r, w('ref, one.tif'), w('same copy.tif'), expect=2)
    check('--range' in p.stderr, '--range %s refused: %s' % (r, p.stderr))
p = run('-o', w('out range'), '--range', '-0.5:1e0', w('ref, one.tif'),
        w('same copy.tif'), expect=0)

# Only regular files are inputs; the message says why another is not
# (and a FIFO is never opened: opening one for reading blocks).
os.makedirs(w('a folder.tif'))
os.mkfifo(w('pipe.tif'))
os.symlink('loop.tif', w('loop.tif'))
open(w('empty.tif'), 'wb').close()
for arg, why in ((w('a folder.tif'), 'is a directory'),
                 ('/dev/zero', 'not a regular file'),
                 (w('pipe.tif'), 'not a regular file'),
                 (w('empty.tif'), 'is empty'),
                 (w('loop.tif'), os.strerror(errno.ELOOP))):
    p = run(w('ref, one.tif'), arg, expect=2,
            env=dict(os.environ, LC_ALL='C'))
    check(arg in p.stderr and why in p.stderr, '%s: %s' % (why, p.stderr))
shutil.copy(w('same copy.tif'), w('fifo_0.tif'))
os.mkfifo(w('fifo_1.tif'))
p = run(w('ref, one.tif'), w('fifo_%d.tif'), expect=2)
check(w('fifo_%d.tif') in p.stderr and w('fifo_1.tif') in p.stderr
      and 'not a regular file' in p.stderr, 'a FIFO in a pattern: '
      + p.stderr)
if os.geteuid() != 0:
    shutil.copy(w('same copy.tif'), w('locked.tif'))
    os.chmod(w('locked.tif'), 0)
    p = run(w('ref, one.tif'), w('locked.tif'), expect=2,
            env=dict(os.environ, LC_ALL='C'))
    check('locked.tif' in p.stderr and os.strerror(errno.EACCES) in p.stderr,
          'unreadable file: ' + p.stderr)
else:
    print('note: running as root, the unreadable-file check is skipped')

# The frames of one input must share one size and bit depth (else the
# element would be asked to change formats mid-run); frames that differ
# only in what they were decoded from (an RGB frame among gray ones) are
# compared by their luma.
for side in 'ab':
    tifffile.imwrite(w('depth_%s_0.tif' % side), a)
    tifffile.imwrite(w('depth_%s_1.tif' % side), (a >> 4).astype(np.uint8))
    tifffile.imwrite(w('size_%s_0.tif' % side), a)
    tifffile.imwrite(w('size_%s_1.tif' % side), a[:64, :64])
for args, frame, what in (
        (('depth_a_%d.tif', 'depth_b_%d.tif'), 'depth_a_1.tif',
         ('128x96 8-bit', '128x96 16-bit')),
        (('size_a_%d.tif', 'size_b_%d.tif'), 'size_a_1.tif',
         ('64x64', '128x96')),
        (('ref, one.tif', 'depth_b_%d.tif'), 'depth_b_1.tif',
         ('8-bit', '16-bit'))):
    p = run('-o', w('out change'), *[w(x) for x in args], expect=2)
    check(w(frame) in p.stderr and all(x in p.stderr for x in what),
          'a change of format within %s: %s' % (args, p.stderr))
gray = [(texture(20 + k) >> 4).astype(np.uint8) for k in range(3)]
for k in range(3):
    tifffile.imwrite(w('gray_%d.tif' % k), gray[k])
    if k == 1:
        tifffile.imwrite(w('mixed_%d.tif' % k), np.stack([gray[k]] * 3, -1),
                         photometric='rgb')
    else:
        tifffile.imwrite(w('mixed_%d.tif' % k), gray[k])
p = run('-o', w('out mixed'), w('gray_%d.tif'), w('mixed_%d.tif'), expect=0)
r = tifffile.imread(w('out mixed', 'r.tif')) if p.returncode == 0 else []
check(len(r) == 3 and np.nanmin(r) > 0.999,
      'an RGB frame among gray ones: r = 1 on every page')

# A stack whose third directory is damaged: the message names the file and
# the page, also when the stack came from a pattern.
damaged = np.stack([texture(30 + k) for k in range(4)])
tifffile.imwrite(w('damaged.tif'), damaged, photometric='minisblack')
with tifffile.TiffFile(w('damaged.tif')) as t:
    ifd = t.pages[2].offset
blob = bytearray(open(w('damaged.tif'), 'rb').read())
for k in range(int.from_bytes(blob[ifd:ifd + 2], 'little')):
    blob[ifd + 2 + 12 * k:ifd + 6 + 12 * k] = bytes([k, 0xff, 99, 0])
with open(w('damaged.tif'), 'wb') as f:
    f.write(blob)
shutil.copy(w('damaged.tif'), w('dmgseq_1.tif'))
tifffile.imwrite(w('dmgseq_0.tif'), damaged, photometric='minisblack')
for arg, named in (('damaged.tif', ('damaged.tif',)),
                   ('dmgseq_%d.tif', ('dmgseq_%d.tif', 'dmgseq_1.tif'))):
    p = run('-o', w('out damaged'), w('ref, one.tif'), w(arg), expect=2)
    check(all(w(n) in p.stderr for n in named) and 'page' in p.stderr,
          'damaged stack %s: %s' % (arg, p.stderr))

print('test-cli: %s' % ('all checks passed' if not failures else
                        '%d checks failed' % len(failures)))
sys.exit(1 if failures else 0)
