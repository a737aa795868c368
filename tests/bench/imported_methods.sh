#!/bin/sh
# Every imported model family through NICE, LSQ and min/max, as a user runs the CLI: the
# exporters' fixtures (tests/core/import/make_fixtures.py: torchvision models with random
# weights, 3x64x64 input) fine-tuned in FP32 on Fashion-MNIST resized and replicated to their
# input (Adam, lr 1e-3: SGD at its default 0.1 wrecks these random-weight networks' BatchNorm
# statistics), then quantization-aware fine-tuned at w8a8 (every layer, --edges quantized) with each
# method. The FP32 fine-tune starts from the TorchScript file where there is one: the ONNX
# exports fold BatchNorm into the convolutions (eval mode), and a deep network with random
# weights and no BatchNorm diverges at this learning rate (real trained weights do not).
# Prints FP32 and quantized top-1 on the same test images, BOPs against FP32 and seconds.
# min/max trains nothing: its row is post-training quantization.
# Short runs: the point is that every op and method works end to end and that 8 bits stay near
# FP32, not the accuracy a long run reaches.
# Usage: tests/bench/imported_methods.sh [build-dir] [models...]
set -e
BUILD=${1:-build}
[ $# -gt 0 ] && shift
MODELS=${*:-"resnet18 mobilenet_v2 mobilenet_v3_small efficientnet_b0 squeezenet1_1 densenet121
  shufflenet_v2_x0_5 regnet_x_400mf mnasnet0_5 googlenet usernet kerasnet"}
cmake --build "$BUILD" --target bitshift-cli >/dev/null
FIXTURES="$BUILD/test-tmp/import-fixtures"
[ -f "$FIXTURES/manifest.json" ] || /usr/bin/python3 "$(dirname "$0")/../core/import/make_fixtures.py" "$FIXTURES" >/dev/null
CLI="$BUILD/app/bitshift-cli"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export OMP_WAIT_POLICY=PASSIVE
last_error() { tr '\r' '\n' <"$DIR/err" | grep 'error' | tail -1; }
TRAIN=${TRAIN:-2048}
QAT=${QAT:-1024}
TEST=${TEST:-1000}
echo "FP32: 1 epoch on $TRAIN images; QAT w8a8: 1 epoch on $QAT images; top-1 on $TEST test images"
printf '%-20s %-7s %8s %8s %8s %9s %8s\n' model method fp32 w8a8 points "BOPs/FP32" seconds
for m in $MODELS; do
  # The TorchScript file records no input shape: give the manifest's.
  shape=$(/usr/bin/python3 -c "import json, sys; print(*['--input ' + 'x'.join(map(str, e['input'][1:]))
    for e in json.load(open(sys.argv[1])) if e['name'] == sys.argv[2] and e['torchscript']])" \
    "$FIXTURES/manifest.json" "$m")
  file="$FIXTURES/$m.pt"
  [ -n "$shape" ] || file="$FIXTURES/$m.onnx"
  "$CLI" train --model "$file" $shape --optimizer adam --lr 1e-3 --epochs 1 --train-limit "$TRAIN" --test-limit "$TEST" \
    --out "$DIR/$m.bsck" >/dev/null 2>"$DIR/err" || { echo "$m: train failed: $(last_error)"; continue; }
  for method in nice lsq minmax; do
    start=$(date +%s)
    if "$CLI" quantize --json --model "$DIR/$m.bsck" --method "$method" --bits w8a8 \
      --edges quantized --epochs 1 --train-limit "$QAT" --test-limit "$TEST" \
      --out "$DIR/$m-$method.bsck" >"$DIR/out.json" 2>"$DIR/err"; then
      /usr/bin/python3 - "$DIR/out.json" "$m" "$method" $(($(date +%s) - start)) <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
print("%-20s %-7s %8.2f %8.2f %+8.2f %9.4f %8s" % (sys.argv[2], sys.argv[3], j["fp32_top1"], j["top1"],
      j["top1"] - j["fp32_top1"], j["bops"] / j["fp32_bops"], sys.argv[4]))
EOF
    else
      echo "$m $method: quantize failed: $(last_error)"
    fi
  done
done
