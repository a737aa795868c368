#!/usr/bin/env bash
# Data-parallel QAT on one machine: 1 process x N threads against N processes x 1 thread
# (`quantize --nproc N`), same global batch, images/s of the training loop and the time the
# replicas spent in collectives (gradient buckets, BatchNorm statistics, step totals), with
# BatchNorm synchronised (the default) and local to each replica.
# Usage: tests/bench/data_parallel.sh [build-dir] [model] [images] [method]
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=${1:-build}/app/bitshift-cli
MODEL=${2:-resnet20}
IMAGES=${3:-8192}
METHOD=${4:-lsq}
N=$(nproc)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
row() {  # images/s, seconds in collectives per step, top-1
  /usr/bin/python3 -c "
import json, sys
j = json.load(sys.stdin); e = j['history'][-1]; steps = $IMAGES // 128
print(f\"{round(e['images_per_second'])} img/s, collectives {1000 * e.get('sync_seconds', 0) / steps:.1f} ms/step, top-1 {j['top1']:.2f}\")"
}

echo "$MODEL $METHOD w4a4, $IMAGES training images, global batch 128, $N cores; $(date -u +%Y-%m-%d)"
for round in 1 2; do
  one=$("$CLI" quantize --model "$MODEL" --method "$METHOD" --bits w4a4 --epochs 1 --train-limit "$IMAGES" \
         --test-limit 1000 --threads "$N" --json --out "$out/one.bsck" 2>/dev/null | row)
  echo "round $round: 1 process x $N threads: $one"
  many=$("$CLI" quantize --model "$MODEL" --method "$METHOD" --bits w4a4 --epochs 1 --train-limit "$IMAGES" \
          --test-limit 1000 --nproc "$N" --json --out "$out/many.bsck" 2>/dev/null | row)
  echo "round $round: $N processes x 1 thread: $many"
  local_bn=$("$CLI" quantize --model "$MODEL" --method "$METHOD" --bits w4a4 --epochs 1 --train-limit "$IMAGES" \
          --test-limit 1000 --nproc "$N" --batchnorm local --json --out "$out/local.bsck" 2>/dev/null | row)
  echo "round $round: $N processes x 1 thread, --batchnorm local: $local_bn"
done
