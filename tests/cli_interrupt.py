"""The command line under signals, for its tests: a run started with the
default signal dispositions and a small stdout pipe, and a wait until it
is blocked writing into that pipe (so a signal lands mid-stack)."""

import fcntl
import signal
import subprocess
import time


def default_signals():
    # A parent (a shell's background job) may have left SIGINT ignored, and
    # the program rightly keeps it so.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def start_json(args):
    """Starts args (a --json run) with a small stdout pipe, and returns it
    with its first line, read once frame 0 is done."""
    p = subprocess.Popen(args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=default_signals)
    try:
        fcntl.fcntl(p.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    except (AttributeError, OSError):
        pass
    return p, p.stdout.readline()


def waiting_on_stdout(p):
    """Waits until the program's main thread is blocked writing into the
    stdout pipe nobody reads (then it cannot reach its last frame or commit
    its results); False when the kernel does not say (no wchan)."""
    for _ in range(3000):
        if p.poll() is not None:
            return False
        try:
            with open('/proc/%d/wchan' % p.pid) as f:
                if 'pipe_write' in f.read():
                    return True
        except OSError:
            return False
        time.sleep(0.02)
    return False
