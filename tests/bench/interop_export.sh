#!/usr/bin/env bash
# The interop exports run by their consumers against the simulation: QDQ ONNX in ONNX Runtime
# (1.17.3 from PyPI, graph optimizations on) and QONNX in qonnx's executor (0.4.0), on trained
# models: LeNet-5 and ResNet-20 (the shipped baselines) and imported MobileNetV2 and
# EfficientNet-B0 (import fixtures fine-tuned in FP32 on Fashion-MNIST fitted to 3x64x64, as
# imported_export.sh does), each quantized at w8a8 (min/max) and w4a8 (LSQ, per-channel weight
# steps, one QAT epoch). Prints a Markdown table (interop_agreement_bench's columns).
# Usage: tests/bench/interop_export.sh [build-dir] [model ...]
#   TRAIN (FP32 images, default 8192), EPOCHS (FP32, default 2), QAT (default 2048), AGREE
#   (agreement images, default 2000).
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
[ $# -gt 0 ] && shift
MODELS=${*:-"lenet5 resnet20 mobilenet_v2 efficientnet_b0"}
TRAIN=${TRAIN:-8192}
EPOCHS=${EPOCHS:-2}
QAT=${QAT:-2048}
AGREE=${AGREE:-2000}
cmake --build "$BUILD" --target bitshift-cli interop_agreement_bench >/dev/null
FIXTURES="$BUILD/test-tmp/import-fixtures"
[ -f "$FIXTURES/manifest.json" ] ||
  /usr/bin/python3 tests/core/import/make_fixtures.py "$FIXTURES" >/dev/null
tests/core/interop/make_peer_venv.sh "$BUILD/test-tmp/peer-venv" >/dev/null
CLI="$BUILD/app/bitshift-cli"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export OMP_WAIT_POLICY=PASSIVE
echo "QDQ: ONNX Runtime 1.17.3 (optimized); QONNX: qonnx 0.4.0's executor; agreement with the"
echo "simulation on $AGREE test images; $(date -u +%Y-%m-%d)"
echo
echo "| model | plan | format | images | simulated % | consumer % | same class % | differ | logits max / median rel diff | sim float32 vs float64 same class % |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for m in $MODELS; do
  base=$m
  if [ -f "$FIXTURES/$m.onnx" ]; then
    base="$DIR/$m.bsck"
    "$CLI" train --model "$FIXTURES/$m.onnx" --optimizer adam --lr 1e-3 --epochs "$EPOCHS" \
      --train-limit "$TRAIN" --test-limit 1000 --out "$base" >/dev/null 2>"$DIR/err" ||
      { echo "| $m | | | train failed | | | | | | |"; continue; }
  fi
  for plan in "minmax w8a8 per-tensor" "lsq w4a8 per-channel"; do
    set -- $plan
    if ! "$CLI" quantize --model "$base" --method "$1" --bits "$2" --edges quantized \
        --granularity "$3" --epochs 1 --train-limit "$QAT" --test-limit 1000 --out "$DIR/q.bsck" \
        >/dev/null 2>"$DIR/err"; then
      echo "| $m | $1 $2 | | quantize failed | | | | | | |"
      continue
    fi
    for format in qdq qonnx; do
      row=$("$BUILD/tests/interop_agreement_bench" "$DIR/q.bsck" "$AGREE" $format 2>"$DIR/err") ||
        row="| export failed: $(tail -1 "$DIR/err" | cut -c1-120) |"
      echo "| $m | $1 $2 | $format $row"
    done
  done
done
