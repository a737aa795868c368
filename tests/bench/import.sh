#!/bin/sh
# Import and FP32 speed of imported models against PyTorch, each alone in its own process:
# ResNet-50 (3x224x224) import time and peak memory (ONNX and TorchScript; peer: torch.jit.load),
# ResNet-18 (3x64x64) inference and training images/s, batch 32, 2 threads (peer: PyTorch eager
# on the same weights, channels-last). Usage: tests/bench/import.sh [build-dir] [rounds]
set -e
BUILD=${1:-build}
cmake --build "$BUILD" --target import_bench >/dev/null
ROUNDS=${2:-3}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export OMP_WAIT_POLICY=PASSIVE
HERE=$(dirname "$0")
/usr/bin/python3 "$HERE/import_peer.py" write "$DIR" 2>/dev/null
for r in $(seq "$ROUNDS"); do
  echo "round $r"
  echo "  resnet50.onnx bitshift: $("$BUILD/tests/import_bench" "$DIR/resnet50.onnx" 3 224 224 8 2)"
  echo "  resnet50.pt   bitshift: $("$BUILD/tests/import_bench" "$DIR/resnet50.pt" 3 224 224 8 2)"
  echo "  resnet50.pt   pytorch:  $(/usr/bin/python3 "$HERE/import_peer.py" run "$DIR/resnet50.pt" 3 224 224 8 2)"
  echo "  resnet18.onnx bitshift: $("$BUILD/tests/import_bench" "$DIR/resnet18.onnx" 3 64 64 32 10)"
  echo "  resnet18.pt   pytorch:  $(/usr/bin/python3 "$HERE/import_peer.py" run "$DIR/resnet18.pt" 3 64 64 32 10)"
done
