#!/usr/bin/env bash
# Imported models to bit-exact integer bundles: each import fixture (ONNX, written by
# torch.onnx.export, reduced to 64x64 inputs) fine-tuned in FP32 on Fashion-MNIST (fitted to
# 3x64x64), quantized at w8a8 (min/max) and w4a8 (LSQ with per-channel weight steps, one QAT
# epoch), exported (agreement with the simulation on the test images in float32 as the studio
# runs it; below 99.5 % also in float64 with the bundle's weight codes, free of float32 rounding
# noise in the activations) and verified layer by layer on OpenCL; export seconds exclude the
# float64 pass.
# Prints a Markdown table; a model that does not export shows the reason.
# Usage: tests/bench/imported_export.sh [build-dir] [model ...]
#   TRAIN (FP32 images, default 8192), EPOCHS (FP32, default 2), QAT (images, default 2048),
#   AGREE (agreement images, default 2000) override the sizes; PLANS the plans ("method bits
#   granularity", separated by ';').
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
[ $# -gt 0 ] && shift
MODELS=${*:-"resnet18 mobilenet_v2 mobilenet_v3_small efficientnet_b0 squeezenet1_1 densenet121
  shufflenet_v2_x0_5 regnet_x_400mf"}
TRAIN=${TRAIN:-8192}
EPOCHS=${EPOCHS:-2}
QAT=${QAT:-2048}
AGREE=${AGREE:-2000}
PLANS=${PLANS:-"minmax w8a8 per-tensor;lsq w4a8 per-channel"}
cmake --build "$BUILD" --target bitshift-cli >/dev/null
FIXTURES="$BUILD/test-tmp/import-fixtures"
[ -f "$FIXTURES/manifest.json" ] ||
  /usr/bin/python3 tests/core/import/make_fixtures.py "$FIXTURES" >/dev/null
CLI="$BUILD/app/bitshift-cli"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export OMP_WAIT_POLICY=PASSIVE
last_error() { tr '\r' '\n' <"$DIR/err" | grep 'error' | tail -1 | cut -c1-160; }
echo "FP32: $EPOCHS epochs on $TRAIN images (Adam 1e-3); plans ($PLANS): 1 epoch on $QAT images;"
echo "agreement on $AGREE test images; $(date -u +%Y-%m-%d)"
echo
echo "| model | plan | FP32 top-1 % | simulated % | integer % | same class % | differ | same class vs float64 sim % | OpenCL verify | export s |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for m in $MODELS; do
  if ! "$CLI" train --model "$FIXTURES/$m.onnx" --optimizer adam --lr 1e-3 --epochs "$EPOCHS" \
      --train-limit "$TRAIN" --test-limit 1000 --out "$DIR/$m.bsck" >/dev/null 2>"$DIR/err"; then
    echo "| $m | | train failed: $(last_error) | | | | | | | |"
    continue
  fi
  fp32=$(/usr/bin/python3 -c "import json,sys; print('%.2f' % json.load(open(sys.argv[1]))['top1'])" \
    "$DIR/$m.bsck.json" 2>/dev/null || echo "?")
  IFS=';' read -ra plans <<<"$PLANS"
  for plan in "${plans[@]}"; do
    set -- $plan
    if ! "$CLI" quantize --model "$DIR/$m.bsck" --method "$1" --bits "$2" --edges quantized \
        --granularity "$3" --epochs 1 --train-limit "$QAT" --test-limit 1000 --out "$DIR/q.bsck" \
        >/dev/null 2>"$DIR/err"; then
      echo "| $m | $1 $2 | $fp32 | quantize failed: $(last_error) | | | | | | |"
      continue
    fi
    start=$(date +%s.%N)
    "$CLI" export --model "$DIR/q.bsck" --agreement-images "$AGREE" --out "$DIR/bundle" --json \
      >"$DIR/e.json" 2>"$DIR/err"
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    # Below 99.5 %, again against the simulation in float64 (minutes: no fast float64 kernels).
    if /usr/bin/python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['agreement']['agreement'] >= 99.5)" \
        "$DIR/e.json" 2>/dev/null; then
      "$CLI" export --model "$DIR/q.bsck" --agreement-images "$AGREE" --float64-agreement \
        --no-verify --out "$DIR/bundle64" --json >"$DIR/e64.json" 2>/dev/null &&
        /usr/bin/python3 - "$DIR/e.json" "$DIR/e64.json" <<'PY'
import json, sys
e, e64 = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
e["agreement"].update({k: v for k, v in e64["agreement"].items() if k.startswith("float64")})
json.dump(e, open(sys.argv[1], "w"))
PY
    fi
    /usr/bin/python3 - "$DIR/e.json" "$m" "$1 $2" "$fp32" "$secs" "$(last_error)" <<'PY'
import json, sys
try:
    e = json.load(open(sys.argv[1]))
except Exception:
    print("| %s | %s | %s | export failed: %s | | | | | | |" % (sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[6]))
    sys.exit(0)
a = e["agreement"]; v = e.get("verification", {})
exact = "%.2f" % a["float64_agreement"] if "float64_agreement" in a else "-"
print("| %s | %s | %s | %.2f | %.2f | %.2f | %d | %s | %s | %.0f |" % (sys.argv[2], sys.argv[3], sys.argv[4],
      a["simulated_top1"], a["integer_top1"], a["agreement"], a["disagreements"], exact,
      v.get("verdict", "not run"), float(sys.argv[5])))
PY
  done
done
