#!/usr/bin/env bash
# The studio's two performance goals, measured (not asserted):
#  1. cold start: process start to the first painted window (ResNet-20 + Fashion-MNIST opened),
#     under Xvfb, `bitshift --measure-startup`, ROUNDS times;
#  2. the GUI's cost on training: the same QAT run (ResNet-20, NICE w4a4, one epoch on
#     TRAIN_IMAGES images) headless (`bitshift-cli quantize`) and in the studio with its plots
#     live (`bitshift --train --quit-after-run`), alternated, ROUNDS times each; the training
#     wall time of each (evaluation and start-up excluded) and their ratio.
# Usage: tests/bench/gui_bench.sh [build-dir] [rounds] [train-images]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
ROUNDS=${2:-3}
TRAIN_IMAGES=${3:-10000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export OMP_WAIT_POLICY=PASSIVE BITSHIFT_STUDIO_DIR="$out/studio" QT_QPA_PLATFORM=xcb
xrun() { xvfb-run -a -s "-screen 0 1440x900x24" "$@" 2>/dev/null; }

echo "## cold start ($(date -u +%Y-%m-%d), $(nproc) cores)"
for i in $(seq "$ROUNDS"); do xrun "$BUILD/app/studio/bitshift" --measure-startup; done

cat > "$out/project.json" <<JSON
{"bitshift_project": 1, "model": "resnet20", "data": "fashion-mnist", "method": "nice",
 "preset": "w4a4", "edges": "", "plan": [],
 "training": {"epochs": 1, "lr": 0.005, "train_limit": $TRAIN_IMAGES, "test_limit": 1000, "seed": 1}}
JSON
echo
echo "## training wall time, ResNet-20 NICE w4a4, 1 epoch on $TRAIN_IMAGES images (seconds)"
echo "| round | headless (bitshift-cli) | studio, plots live | studio / headless |"
echo "| --- | --- | --- | --- |"
for i in $(seq "$ROUNDS"); do
  "$BUILD/app/bitshift-cli" quantize --model resnet20 --method nice --bits w4a4 --epochs 1 \
      --train-limit "$TRAIN_IMAGES" --test-limit 1000 --json --out "$out/q.bsck" > "$out/cli.json" 2>/dev/null
  cli=$(/usr/bin/python3 -c "import json; print(json.load(open('$out/cli.json'))['wall_seconds'])")
  gui=$(xrun "$BUILD/app/studio/bitshift" --train --quit-after-run "$out/project.json" |
        sed -n 's/.*training wall time \([0-9.]*\) s.*/\1/p')
  /usr/bin/python3 -c "print('| $i | %.2f | %.2f | ×%.3f |' % ($cli, $gui, $gui / $cli))"
done
