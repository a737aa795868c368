#!/usr/bin/env bash
# Training throughput (images/s) of Bitshift's FP32 loop vs PyTorch's Python eager loop on the
# same 3-conv CNN, plus LeNet-5 and ResNet-20, all on Fashion-MNIST, in one run.
# Usage: tests/bench/train_throughput.sh [build-dir]   (after ./bitshift.sh test or run)
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=${1:-build}/app/bitshift-cli
THREADS=$(nproc)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

bitshift() {  # model images
  "$CLI" train --model "$1" --epochs 1 --train-limit "$2" --test-limit 1000 --batch-size 128 \
    --lr 0.05 --threads "$THREADS" --json --out "$out/$1.bsck" 2>/dev/null |
    /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin); print(f\"bitshift $1: {r['images_per_second']:.0f} images/s ({r['train_images']} images)\")"
}

echo "threads: $THREADS, batch 128, SGD; $(date -u +%Y-%m-%d)"
for round in 1 2; do
  echo "-- round $round"
  /usr/bin/python3 tests/bench/pytorch_peer.py 60000 "$THREADS"
  bitshift cnn3 60000
  bitshift lenet5 60000
  bitshift resnet20 10000
done
