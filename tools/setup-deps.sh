#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what gst-blockwise needs to build, test and run its demo, from
# Debian 12's package archive.  Runs apt-get as root, or through sudo.
set -euo pipefail

PACKAGES=(
  meson ninja-build pkg-config gcc clang indent
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  liborc-0.4-dev liborc-0.4-dev-bin
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
  libtiff-dev libtiff-tools libcairo2-dev libpng-dev fonts-dejavu-core
  python3-numpy python3-tifffile python3-dask python3-distributed python3-zarr
  aravis-tools aravis-tools-cli
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
