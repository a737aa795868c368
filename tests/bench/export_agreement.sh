#!/usr/bin/env bash
# Integer model against the fake-quant simulation, per plan: quantize (NICE, every layer on
# integers, a short fine-tuning), export, and read the bundle's agreement on the whole test set
# and its verification on OpenCL. Prints a Markdown table.
# Usage: tests/bench/export_agreement.sh [build-dir] [train-images]
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=${1:-build}/app/bitshift-cli
TRAIN_IMAGES=${2:-10000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export OMP_WAIT_POLICY=PASSIVE
echo "NICE, --edges quantized, 1 epoch on $TRAIN_IMAGES training images, agreement on all 10,000 test images, $(date -u +%Y-%m-%d)"
echo
echo "| model | bits | simulated top-1 % | integer top-1 % | same class % | differ | OpenCL verify |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for model in lenet5 resnet20; do
  for bits in w4a4 w4a8 w8a8; do
    "$CLI" quantize --model "$model" --method nice --bits "$bits" --edges quantized --epochs 1 \
        --train-limit "$TRAIN_IMAGES" --test-limit 1000 --out "$out/q.bsck" > /dev/null 2>&1
    "$CLI" export --model "$out/q.bsck" --out "$out/bundle-$model-$bits" --json > "$out/e.json" 2>/dev/null || true
    /usr/bin/python3 - "$out/e.json" "$model" "$bits" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); a = e["agreement"]
v = e.get("verification", {})
print("| %s | %s | %.2f | %.2f | %.2f | %d | %s |" % (sys.argv[2], sys.argv[3], a["simulated_top1"],
      a["integer_top1"], a["agreement"], round(a["images"] * (100 - a["agreement"]) / 100),
      v.get("verdict", "not run")))
PY
  done
done
