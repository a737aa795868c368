#!/usr/bin/env bash
# Accuracy against BOPs of every method at (w,a) in {(2,2),(3,3),(4,4),(4,8),(8,8)} (and (1,1)
# for UniQ) on a shipped Fashion-MNIST baseline, with the same fine-tuning budget for all.
# Prints a Markdown table.
# Usage: tests/bench/method_accuracy.sh [build-dir] [model] [epochs] [train-images (0 = all)]
set -uo pipefail
cd "$(dirname "$0")/../.."
CLI=${1:-build}/app/bitshift-cli
MODEL=${2:-lenet5}
EPOCHS=${3:-1}
TRAIN_LIMIT=${4:-0}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
field() { /usr/bin/python3 -c "import json,sys; r=json.load(open('$1')); print(r['$2'])"; }

echo "$MODEL from resources/baselines, $EPOCHS epoch(s) of fine-tuning on $([[ $TRAIN_LIMIT == 0 ]] && echo all || echo "$TRAIN_LIMIT") training images (minmax: calibration only), $(date -u +%Y-%m-%d)"
echo
echo "| method | bits | top-1 % | FP32 top-1 % | BOPs | weight KiB |"
echo "| --- | --- | --- | --- | --- | --- |"
for method in nice uniq uniq-sym n2uq pot-lut lsq pact dorefa minmax; do
  presets="w2a2 w3a3 w4a4 w4a8 w8a8"
  [[ $method == uniq-sym ]] && presets="w1a1 $presets"
  [[ $method == pot-lut ]] && presets="w4a8"
  for bits in $presets; do
    rec="$out/$method-$bits.json"
    if "$CLI" quantize --model "$MODEL" --method "$method" --bits "$bits" --epochs "$EPOCHS" \
         --train-limit "$TRAIN_LIMIT" --json --out "$out/q.bsck" > "$rec" 2> "$out/err.txt"; then
      printf "| %s | %s | %.2f | %.2f | %.4g | %.1f |\n" "$method" "$bits" "$(field "$rec" top1)" \
        "$(field "$rec" fp32_top1)" "$(field "$rec" bops)" \
        "$(/usr/bin/python3 -c "print($(field "$rec" weight_bits)/8192)")"
    else
      echo "| $method | $bits | refused: $(tail -1 "$out/err.txt" | cut -c1-80) | | | |"
    fi
  done
done
