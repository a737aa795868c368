#!/bin/sh
# Image-folder pipeline: 2,000 JPEG photos of three sizes (320x240, 300x300, 240x320) in 10
# classes, served at 3x64x64 with RandomResizedCrop + flip, batch 64, 2 threads. Bitshift: the
# pipeline alone (images/s) and one epoch of ResNet-20 training (images/s, seconds waited for
# data, peak memory); peer: torchvision ImageFolder + DataLoader (2 workers), pipeline alone.
# Usage: tests/bench/image_folder.sh [build-dir] [rounds]
set -e
BUILD=${1:-build}
cmake --build "$BUILD" --target image_folder_bench >/dev/null
ROUNDS=${2:-3}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export OMP_WAIT_POLICY=PASSIVE
HERE=$(dirname "$0")
/usr/bin/python3 "$HERE/image_folder_peer.py" write "$DIR" 2000
for r in $(seq "$ROUNDS"); do
  echo "round $r"
  echo "  bitshift:    $("$BUILD/tests/image_folder_bench" "$DIR" 3 64 64 64 2)"
  echo "  torchvision: $(/usr/bin/python3 "$HERE/image_folder_peer.py" run "$DIR" 3 64 64 64 2)"
done
