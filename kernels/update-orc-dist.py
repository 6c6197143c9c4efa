#!/usr/bin/env python3
# gst-blockwise: copies orcc's generated files over the checked-in -dist
# backups, used when orcc is missing.  Run as `ninja -C build update-orc-dist`.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: update-orc-dist.py GENERATED DIST [GENERATED DIST ...]
import shutil
import sys

args = sys.argv[1:]
if not args or len(args) % 2:
    sys.exit("usage: update-orc-dist.py GENERATED DIST [GENERATED DIST ...]")
for generated, dist in zip(args[0::2], args[1::2]):
    shutil.copyfile(generated, dist)
    print(f"updated {dist}")
