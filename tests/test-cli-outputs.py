#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise: gst-blockcorr's outputs survive what happens to a run.

Runs the program as a user runs it and checks that its result files are
complete and agree with each other, or are not there at all:
- an input that a result would replace is refused and left as it was;
- SIGINT or SIGTERM in the middle of a stack leaves CSV rows, TIFF pages,
  heatmaps and JSON lines for the same frames, every file whole, and exit
  status 128 + the signal; a second signal ends the run at once, leaving
  the folder as it was before;
- a full file system (a small tmpfs, mounted in a private mount namespace;
  skipped where mounting is not allowed) and a standard output that cannot
  be written give exit 2 and a message naming the file and the cause, and
  no result is replaced;
- file names that are not UTF-8, or hold quotes, backslashes and control
  characters, still give valid JSON, UTF-8 CSV and drawn captions.

Usage: test-cli-outputs.py PATH-TO-gst-blockcorr WORK-DIR
       test-cli-outputs.py PATH-TO-gst-blockcorr WORK-DIR --demo DEMO-SH
(the second form runs only tools/demo.sh against that program).
Exit 77 (a skip) when numpy or tifffile is missing.
"""
import csv
import fcntl
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zlib

from cli_interrupt import default_signals, start_json, waiting_on_stdout

try:
    import numpy as np
    import tifffile
except ImportError as e:
    print('skip: %s' % e)
    sys.exit(77)

PROG, WORK = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else None
failures = []
GRIDS = ('r', 'mean-0', 'mean-1', 'stddev-0', 'stddev-1', 'covariance',
         'dx', 'dy', 'r-best')
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL: ' + what)
    return cond


def finish():
    print('%s: %s' % (os.path.basename(sys.argv[0]),
                      'all checks passed' if not failures else
                      '%d checks failed' % len(failures)))
    sys.exit(1 if failures else 0)


def run(args, expect=None, stdout=subprocess.PIPE):
    p = subprocess.run([PROG] + args, stdout=stdout, stderr=subprocess.PIPE,
                       preexec_fn=default_signals)
    if expect is not None:
        check(p.returncode == expect, '%r: exit %d, expected %d; stderr: %s'
              % (args, p.returncode, expect, p.stderr.decode(errors='replace')
                 .strip()))
    return p


def texture(seed, shape=(64, 64)):
    rng = np.random.default_rng(seed)
    return rng.normal(3000, 400, shape).clip(0, 65535).astype(np.uint16)


def noisy(a, seed):
    rng = np.random.default_rng(seed)
    return (a + rng.normal(0, 30, a.shape)).clip(0, 65535).astype(np.uint16)


def write_tiff(path, data, **kw):
    """tifffile wants str names; this takes bytes names too."""
    buf = io.BytesIO()
    tifffile.imwrite(buf, data, **kw)
    with open(path, 'wb') as f:
        f.write(buf.getvalue())


def block_r(a, b, bs=16):
    """r per bs x bs block, two-pass in double precision (trim mode)."""
    rows, cols = a.shape[0] // bs, a.shape[1] // bs
    r = np.full((rows, cols), np.nan)
    for j in range(rows):
        for i in range(cols):
            x = a[j*bs:(j+1)*bs, i*bs:(i+1)*bs].astype(np.float64)
            y = b[j*bs:(j+1)*bs, i*bs:(i+1)*bs].astype(np.float64)
            dx, dy = x - x.mean(), y - y.mean()
            sxx, syy = (dx * dx).sum(), (dy * dy).sum()
            if sxx > 0 and syy > 0:
                r[j, i] = (dx * dy).sum() / np.sqrt(sxx * syy)
    return r


def png_whole(path):
    """The PNG read chunk by chunk: every CRC right, IEND last, and the image
    data inflating to exactly the rows IHDR declares."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError:
        return False
    if data[:8] != PNG_SIGNATURE:
        return False
    pos, idat, ihdr = 8, b'', None
    while pos + 12 <= len(data):
        n = int.from_bytes(data[pos:pos + 4], 'big')
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        crc = data[pos + 8 + n:pos + 12 + n]
        if len(body) != n or len(crc) != 4 or \
                zlib.crc32(kind + body) != int.from_bytes(crc, 'big'):
            return False
        if kind == b'IHDR':
            ihdr = body
        elif kind == b'IDAT':
            idat += body
        elif kind == b'IEND':
            if pos + 12 + n != len(data) or ihdr is None:
                return False
            w, h = int.from_bytes(ihdr[0:4], 'big'), int.from_bytes(
                ihdr[4:8], 'big')
            depth, colour = ihdr[8], ihdr[9]
            channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
            if channels is None:
                return False
            try:
                raw = zlib.decompress(idat)
            except zlib.error:
                return False
            return len(raw) == h * (1 + (w * channels * depth + 7) // 8)
        pos += 12 + n
    return False


def tiff_pages(path):
    """Every page of a TIFF read whole, or None when it cannot be."""
    try:
        with tifffile.TiffFile(path) as tf:
            return [p.asarray() for p in tf.pages]
    except Exception as e:
        print('  %s: %s' % (path, e))
        return None


def listing(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def snapshot(folder):
    """Every file's bytes, by name."""
    out = {}
    for name in listing(folder):
        with open(os.path.join(folder, name), 'rb') as f:
            out[name] = f.read()
    return out


def temporaries(folder):
    return [n for n in listing(folder) if n.startswith('.')]


def check_consistent(folder, frames, total, label, json_lines=None,
                     reference=None):
    """The results of a run that holds `frames` frames of a `total`-frame
    stack: one CSV row, one page per grid, one heatmap and one shift picture
    per frame, all whole; no temporary file."""
    names = listing(folder)
    check(not temporaries(folder), '%s: no temporary file left: %r'
          % (label, temporaries(folder)))
    try:
        with open(os.path.join(folder, 'summary.csv'), newline='',
                  encoding='utf-8') as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        check(False, '%s: summary.csv reads: %s' % (label, e))
        rows = []
    check([int(r['frame']) for r in rows] == list(range(frames)),
          '%s: summary.csv has rows for frames 0..%d, not %r'
          % (label, frames - 1, [r['frame'] for r in rows]))
    for g in GRIDS:
        pages = tiff_pages(os.path.join(folder, g + '.tif'))
        check(pages is not None and len(pages) == frames,
              '%s: %s.tif has %s pages, not %d' % (
                  label, g, None if pages is None else len(pages), frames))
        if g == 'r' and pages and reference is not None:
            k, ref = reference
            got = pages[k].astype(np.float64)
            check(np.array_equal(np.isnan(got), np.isnan(ref)) and
                  np.nanmax(np.abs(got - ref)) < 1e-5,
                  '%s: r.tif page %d is frame %d against numpy'
                  % (label, k, k))
    for kind in ('heatmap', 'shift'):
        pictures = sorted(n for n in names
                          if re.fullmatch(kind + r'-[0-9]{4,}\.png', n))
        check(pictures == ['%s-%04d.png' % (kind, k) for k in range(frames)],
              '%s: %s pictures for frames 0..%d: %r'
              % (label, kind, frames - 1, pictures))
        for n in pictures:
            check(png_whole(os.path.join(folder, n)), '%s: %s is a whole PNG'
                  % (label, n))
    if total > 1:
        check(png_whole(os.path.join(folder, 'median-r.png')),
              '%s: median-r.png is a whole PNG' % label)
    if json_lines is not None:
        check([l.get('frame') for l in json_lines] == list(range(frames)),
              '%s: JSON lines for frames 0..%d' % (label, frames - 1))


# ---- the demo script, run on its own (not in the sanitizer build) --------

if MODE == '--demo':
    demo = sys.argv[4]
    if shutil.which('gst-launch-1.0') is None:
        print('skip: gst-launch-1.0 is missing')
        sys.exit(77)
    if os.path.isdir(WORK):
        shutil.rmtree(WORK)
    env = dict(os.environ, GST_BLOCKCORR=PROG, OUT_DIR=WORK)
    p = subprocess.run(['bash', demo], capture_output=True, text=True,
                       env=env, preexec_fn=default_signals)
    print(p.stdout, p.stderr)
    if 'no element "twirl"' in p.stderr:
        print('skip: the demo needs twirl (gst-plugins-bad)')
        sys.exit(77)
    # The built-in pair needs registration (its copy is twirled): the demo
    # worked, so it ends with 0 and says what gst-blockcorr's 1 means.
    check(p.returncode == 0, 'a demo that worked ends with 0, not %d'
          % p.returncode)
    check('needs registration' in p.stdout and 'status 1' in p.stdout,
          'the demo says what the status means: ' + p.stdout)
    check(os.path.exists(os.path.join(WORK, 'heatmap.png')),
          'the demo wrote its heatmap')
    # A pair that cannot be compared is still an error.
    p = subprocess.run(['bash', demo, os.path.join(WORK, 'missing.tif'),
                        os.path.join(WORK, 'input-0.png')],
                       capture_output=True, text=True, env=env,
                       preexec_fn=default_signals)
    check(p.returncode == 2, 'the demo passes an error on: exit %d'
          % p.returncode)
    finish()


# ---- a small full file system, inside a private mount namespace ----------

def full_disk_inside(mnt):
    """Runs in the namespace, with a tmpfs mountable at mnt."""
    def mount(opts):
        subprocess.run(['mount', '-t', 'tmpfs', '-o', opts, 'blockcorr-full',
                        mnt], check=True)

    def umount():
        subprocess.run(['umount', mnt], check=True)

    pair = [w('ref.tif'), w('cmp.tif')]
    # Sizes that end the run at different writes (TIFF headers, pages,
    # pictures, the CSV), and a file system out of inodes: nothing under a
    # result's name, no temporary file left, a message naming the cause.
    for opts in ('size=4k', 'size=16k', 'size=28k', 'size=40k', 'size=52k',
                 'size=64k', 'nr_inodes=6'):
        mount(opts)
        out = os.path.join(mnt, 'out')
        p = run(['-q', '-o', out] + pair)
        err = p.stderr.decode(errors='replace')
        check(p.returncode == 2, 'tmpfs %s: exit %d, expected 2; stderr: %s'
              % (opts, p.returncode, err))
        check(out in err and 'No space left on device' in err,
              'tmpfs %s: the message names the file and the cause: %s'
              % (opts, err))
        check(listing(out) == [], 'tmpfs %s: nothing left in the folder: %r'
              % (opts, listing(out)))
        umount()
    # An earlier run's results, then a stack that does not fit: the earlier
    # results stay as they were, byte for byte.
    mount('size=256k')
    out = os.path.join(mnt, 'out')
    p = run(['-q', '-o', out] + pair, expect=0)
    before = snapshot(out)
    check('summary.csv' in before and 'heatmap.png' in before,
          'tmpfs: a pair that fits is written: %r' % sorted(before))
    p = run(['-o', out, '--json', w('ref.tif'), w('stack.tif')])
    err = p.stderr.decode(errors='replace')
    check(p.returncode == 2, 'tmpfs full in a stack: exit %d, expected 2; '
          'stderr: %s' % (p.returncode, err))
    check('No space left on device' in err and out in err,
          'tmpfs full in a stack: the message: ' + err)
    check(snapshot(out) == before, 'tmpfs full in a stack: the earlier '
          'results are unchanged: %r' % listing(out))
    umount()


def w(*p):
    return os.path.join(WORK, *p)


if MODE == '--inside-tmpfs':
    full_disk_inside(sys.argv[4])
    finish()


# ---- the inputs -------------------------------------------------------------

if os.path.isdir(WORK):
    shutil.rmtree(WORK)
os.makedirs(WORK)
a = texture(1)
b = noisy(a, 2)
write_tiff(w('ref.tif'), a)
write_tiff(w('cmp.tif'), b)
# Long enough that the program is still running when a signal comes: it
# blocks on a standard output nobody reads long before its last frame.
N = 150
stack = np.stack([noisy(a, 10 + k) for k in range(N)])
write_tiff(w('stack.tif'), stack, photometric='minisblack')
write_tiff(w('stack12.tif'), stack[:12], photometric='minisblack')

# ---- 1. An input is never replaced ----------------------------------------

# The input is one of the results by name.
os.makedirs(w('io'))
write_tiff(w('io', 'r.tif'), b)
original = open(w('io', 'r.tif'), 'rb').read()
p = run(['-o', w('io'), w('io', 'r.tif'), w('ref.tif')], expect=2)
err = p.stderr.decode(errors='replace')
check('r.tif' in err and 'input' in err, 'refusal names the input: ' + err)
check(open(w('io', 'r.tif'), 'rb').read() == original,
      'the input io/r.tif is unchanged')
check(listing(w('io')) == ['r.tif'], 'nothing else written: %r'
      % listing(w('io')))

# The same file under another name (a hard link): same device and inode.
os.makedirs(w('linked'))
shutil.copy(w('ref.tif'), w('linked-ref.tif'))
os.link(w('linked-ref.tif'), w('linked', 'covariance.tif'))
original = open(w('linked-ref.tif'), 'rb').read()
p = run(['-o', w('linked'), w('linked-ref.tif'), w('cmp.tif')], expect=2)
err = p.stderr.decode(errors='replace')
check('linked-ref.tif' in err and 'covariance.tif' in err,
      'refusal names the input and the result: ' + err)
check(open(w('linked-ref.tif'), 'rb').read() == original,
      'the hard-linked input is unchanged')

# A pattern whose files are an earlier run's pictures, and an input that
# this run would remove as an earlier run's leftover (a single pair replaces
# a stack's heatmap-NNNN.png).
run(['-q', '-o', w('seq'), w('ref.tif'), w('stack12.tif')], expect=0)
before = snapshot(w('seq'))
run(['-o', w('seq'), w('seq', 'heatmap-%04d.png'),
     w('seq', 'shift-%04d.png')], expect=2)
run(['-o', w('seq'), w('seq', 'heatmap-0011.png'),
     w('seq', 'heatmap-0011.png')], expect=2)
check(snapshot(w('seq')) == before, 'the inputs in seq/ are unchanged')

# The folder holds one run's results: a shorter run replaces a longer one's
# as a whole, and leaves files of other names alone.
with open(w('seq', 'notes.txt'), 'w') as f:
    f.write('mine\n')
with open(w('seq', 'heatmap-old.png'), 'wb') as f:
    f.write(b'mine')
stack3 = stack[:3]
write_tiff(w('stack3.tif'), stack3, photometric='minisblack')
run(['-q', '-o', w('seq'), w('ref.tif'), w('stack3.tif')], expect=0)
check_consistent(w('seq'), 3, 3, 'a 3-frame run over a 12-frame one',
                 reference=(2, block_r(a, stack3[2])))
check(open(w('seq', 'notes.txt')).read() == 'mine\n' and
      open(w('seq', 'heatmap-old.png'), 'rb').read() == b'mine',
      'files that are not results are left alone')
run(['-q', '-o', w('seq'), w('ref.tif'), w('cmp.tif')], expect=0)
check(not [n for n in listing(w('seq')) if n.endswith('-0000.png')] and
      'heatmap.png' in listing(w('seq')),
      'a pair over a stack leaves no stack pictures: %r' % listing(w('seq')))

# ---- 2. Signals in the middle of a stack ----------------------------------


def start_stack(out):
    """A --json run over the stack, and its first line."""
    return start_json([PROG, '--json', '-o', out, w('ref.tif'),
                       w('stack.tif')])


for sig, status in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
    out = w('stopped-%d' % sig)
    p, first = start_stack(out)
    check(first.startswith(b'{'), 'the first JSON line comes: %r' % first)
    p.send_signal(sig)
    rest, err = p.communicate()
    err = err.decode(errors='replace')
    lines = [json.loads(l) for l in (first + rest).decode().splitlines()]
    label = 'stopped by %s' % signal.Signals(sig).name
    check(p.returncode == status, '%s: exit %d, expected %d; stderr: %s'
          % (label, p.returncode, status, err))
    done = len(lines)
    check(0 < done < N, '%s: stopped within the stack (%d of %d frames)'
          % (label, done, N))
    msg = 'hold %d of %d frames' % (done, N)
    check(msg in err, '%s: says which frames the results hold ("%s"): %s'
          % (label, msg, err))
    check_consistent(out, done, N, label, json_lines=lines,
                     reference=(done - 1, block_r(a, stack[done - 1])))

# A second SIGINT stops at once: the folder keeps an earlier run's results
# as they were, and no temporary file.
out = w('twice')
run(['-q', '-o', out, w('ref.tif'), w('cmp.tif')], expect=0)
before = snapshot(out)
p, first = start_stack(out)
if not waiting_on_stdout(p):
    check(p.poll() is None, 'the stack is still running')
    print('skip: a second SIGINT: cannot tell when the program waits')
    p.kill()
    p.communicate()
else:
    p.send_signal(signal.SIGINT)
    line = b'\n'
    while line == b'\n':
        line = p.stderr.readline()
    check(b'interrupt again' in line, 'the first SIGINT is acknowledged: %r'
          % line)
    p.send_signal(signal.SIGINT)
    rest, err = p.communicate()
    check(p.returncode == -signal.SIGINT, 'a second SIGINT ends the program '
          'by SIGINT: status %d; stderr: %s' % (p.returncode, err))
    check(snapshot(out) == before, 'after a second SIGINT the folder holds '
          'the earlier results unchanged: %r' % listing(out))

# A signal after the results are started but before the first frame is
# done (strace delivers it at the folder's lock): nothing is kept.
out = w('early')
run(['-q', '-o', out, w('ref.tif'), w('cmp.tif')], expect=0)
before = snapshot(out)
strace = shutil.which('strace')
if strace is None:
    print('skip: a signal before the first frame: strace is missing')
else:
    # LeakSanitizer cannot run under ptrace; AddressSanitizer still does.
    env = dict(os.environ)
    if 'ASAN_OPTIONS' in env:
        env['ASAN_OPTIONS'] += ':detect_leaks=0'
    p = subprocess.run([strace, '-f', '-o', os.devnull, '-e', 'trace=flock',
                        '-e', 'inject=flock:signal=SIGINT', PROG, '-o', out,
                        w('ref.tif'), w('stack.tif')], capture_output=True,
                       env=env, preexec_fn=default_signals)
    err = p.stderr.decode(errors='replace')
    if err.startswith('strace:'):
        print('skip: a signal before the first frame: ' + err.strip())
    else:
        check(p.returncode == 130 and 'no results written' in err,
              'a signal before the first frame: exit %d; stderr: %s'
              % (p.returncode, err))
        check(snapshot(out) == before, 'a signal before the first frame '
              'leaves the folder as it was: %r' % listing(out))

# Two runs into one folder at the same time: the second is refused.
fd = os.open(out, os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
p = run(['-q', '-o', out, w('ref.tif'), w('cmp.tif')], expect=2)
os.close(fd)
check(b'another gst-blockcorr' in p.stderr and snapshot(out) == before,
      'a folder in use is refused: %r' % p.stderr)

# ---- 3. Standard output that cannot be written ----------------------------

for args in (['--json'], []):
    out = w('devfull')
    with open('/dev/full', 'w') as full:
        p = run(args + ['-o', out, w('ref.tif'), w('cmp.tif')], stdout=full)
    err = p.stderr.decode(errors='replace')
    check(p.returncode == 2, '%r > /dev/full: exit %d, expected 2; stderr: %s'
          % (args, p.returncode, err))
    check('standard output' in err and 'No space left on device' in err,
          '%r > /dev/full: names standard output and the cause: %s'
          % (args, err))
    check(listing(out) == [], '%r > /dev/full: no results kept: %r'
          % (args, listing(out)))
# No standard output at all: the files opened next must not take its
# place (printing into r.tif).
out = w('closed')
p = subprocess.run([PROG, '--json', '-o', out, w('ref.tif'), w('cmp.tif')],
                   stderr=subprocess.PIPE,
                   preexec_fn=lambda: (default_signals(), os.close(1)))
err = p.stderr.decode(errors='replace')
check(p.returncode == 2 and 'standard output' in err,
      'a closed stdout: exit %d, expected 2; stderr: %s'
      % (p.returncode, err))
check(listing(out) == [], 'a closed stdout: no results kept: %r'
      % listing(out))
# A pipe nobody reads any more.
r, wfd = os.pipe()
os.close(r)
p = run(['--json', '-o', w('epipe'), w('ref.tif'), w('cmp.tif')], stdout=wfd)
os.close(wfd)
err = p.stderr.decode(errors='replace')
check(p.returncode == 2 and 'standard output' in err,
      'a closed pipe on stdout: exit %d, expected 2; stderr: %s'
      % (p.returncode, err))

# ---- 4. File names: not UTF-8, quotes, backslashes, control characters ----

odd = [b'ref \xff\xfe latin-1 \xe9.tif',
       b'cmp "quoted", back\\slash \x01\x1f\ttab\nline \xc3\xa9 \xe2\x82\xac'
       b'.tif']
paths = [os.path.join(os.fsencode(WORK), n) for n in odd]
write_tiff(paths[0], a)
write_tiff(paths[1], np.stack([b, noisy(a, 3)]), photometric='minisblack')
expected = [p.decode('utf-8', 'replace') for p in paths]
p = run(['--json', '-o', w('names')] + [os.fsdecode(x) for x in paths],
        expect=0)
try:
    lines = [json.loads(l) for l in p.stdout.decode('utf-8').split('\n')
             if l]
except (UnicodeDecodeError, ValueError) as e:
    check(False, 'JSON of odd names parses: %s: %r' % (e, p.stdout[:300]))
    lines = []
check(len(lines) == 2, 'two JSON lines')
for k, l in enumerate(lines):
    check(l['source-0'] == expected[0], 'JSON source-0: %r, expected %r'
          % (l['source-0'], expected[0]))
    check(l['source-1'] == '%s (page %d)' % (expected[1], k + 1),
          'JSON source-1: %r' % l['source-1'])
try:
    with open(w('names', 'summary.csv'), newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
except (UnicodeDecodeError, csv.Error) as e:
    check(False, 'summary.csv of odd names reads as UTF-8 CSV: %s' % e)
    rows = []
check([(r['source-0'], r['source-1']) for r in rows] ==
      [(expected[0], '%s (page %d)' % (expected[1], k + 1))
       for k in range(2)], 'CSV sources: %r' % rows)

# The captions: a name that is not UTF-8 must not stop cairo from drawing
# the rest of the heatmap.  Below its caption the picture is the same as
# for the same pair under plain names.
run(['-o', w('plain'), w('ref.tif'), w('cmp.tif')], expect=0)
run(['-o', w('oddpair'), os.fsdecode(paths[0]), w('cmp.tif')], expect=0)


def decode_png(path):
    raw = path + '.rgb'
    p = subprocess.run(['gst-launch-1.0', '-q', 'filesrc', 'location=' + path,
                        '!', 'pngdec', '!', 'videoconvert', '!',
                        'video/x-raw,format=RGB', '!', 'filesink',
                        'location=' + raw], capture_output=True)
    if p.returncode != 0:
        return None
    with open(path, 'rb') as f:
        head = f.read(24)
    width = int.from_bytes(head[16:20], 'big')
    height = int.from_bytes(head[20:24], 'big')
    stride = (3 * width + 3) // 4 * 4
    data = np.fromfile(raw, np.uint8)
    return data.reshape(height, stride)[:, :3 * width]


plain = decode_png(w('plain', 'heatmap.png'))
oddpic = decode_png(w('oddpair', 'heatmap.png'))
if plain is None or oddpic is None:
    print('skip: the caption check needs gst-launch-1.0 and pngdec')
else:
    # The grid starts below the two caption lines (about 90 px down).
    check(plain.shape == oddpic.shape and
          np.array_equal(plain[100:], oddpic[100:]),
          'the heatmap of a pair with a name that is not UTF-8 is drawn '
          'whole')

# ---- 5. A full file system --------------------------------------------------

mnt = w('mnt')
os.makedirs(mnt)
unshare = shutil.which('unshare')
if unshare is None:
    print('skip: full file system: unshare(1) is missing')
else:
    # As root a private mount namespace; otherwise one of a user namespace,
    # where the kernel allows it.
    ns = ['-m'] if os.geteuid() == 0 else ['-r', '-m']
    probe = subprocess.run([unshare] + ns + ['mount', '-t', 'tmpfs', '-o',
                                             'size=4k', 'probe', mnt],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        print('skip: full file system: cannot mount a tmpfs here (%s)'
              % probe.stderr.strip())
    else:
        p = subprocess.run([unshare] + ns + [sys.executable, sys.argv[0],
                                             PROG, WORK, '--inside-tmpfs',
                                             mnt], capture_output=True,
                           text=True)
        print(p.stdout, p.stderr)
        check(p.returncode == 0, 'the full file system checks pass')

finish()
