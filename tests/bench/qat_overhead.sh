#!/usr/bin/env bash
# Cost of a QAT epoch against an FP32 epoch of the same model and data, in one run:
# FP32 fine-tuning (`train --from`) vs `quantize` with each method, images/s of the training loop.
# Usage: tests/bench/qat_overhead.sh [build-dir] [model] [images]
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=${1:-build}/app/bitshift-cli
MODEL=${2:-resnet20}
IMAGES=${3:-10000}
BASE=resources/baselines/$MODEL-fashion-mnist.bsck
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ips() { /usr/bin/python3 -c "import json,sys; print(round(json.load(sys.stdin)['images_per_second']))"; }

echo "$MODEL, $IMAGES training images, batch 128, $(nproc) threads; $(date -u +%Y-%m-%d)"
for round in 1 2; do
  fp=$("$CLI" train --model "$MODEL" --from "$BASE" --epochs 1 --train-limit "$IMAGES" \
        --test-limit 500 --lr 0.001 --json --out "$out/fp.bsck" 2>/dev/null | ips)
  echo "round $round: fp32 $fp images/s"
  for method in nice lsq pact; do
    q=$("$CLI" quantize --model "$BASE" --method "$method" --bits w4a4 --epochs 1 \
         --train-limit "$IMAGES" --test-limit 500 --json --out "$out/q.bsck" 2>/dev/null | ips)
    /usr/bin/python3 -c "print(f'round $round: $method w4a4 $q images/s, epoch cost x{$fp/$q:.2f} of fp32')"
  done
done
