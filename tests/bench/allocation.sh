#!/usr/bin/env bash
# Does allocation pay? On ResNet-20 (Fashion-MNIST), for NICE and LSQ, at the BOPs of uniform
# w3a3 and at the weight memory of uniform w2a4: (a) the uniform plan, (b) the allocated plan
# (measured sensitivity on 256 calibration images), (c) a random plan of the budget's cost
# (allocate --sensitivity random:1), each fine-tuned the same way; top-1 and cost of each, and
# the sensitivity's wall time. Run alone (times are reported).
# Usage: tests/bench/allocation.sh [build-dir]   EPOCHS (default 2), TRAIN (images per epoch,
#   default 20000), MODEL (default resnet20), METHODS (default "nice lsq").
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
EPOCHS=${EPOCHS:-2}
TRAIN=${TRAIN:-20000}
MODEL=${MODEL:-resnet20}
METHODS=${METHODS:-"nice lsq"}
cmake --build "$BUILD" --target bitshift-cli >/dev/null 2>&1 || true
CLI="$BUILD/app/bitshift-cli"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export OMP_WAIT_POLICY=PASSIVE
json() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }
echo "$MODEL, $EPOCHS epochs of $TRAIN images each (SGD 0.005), test top-1 on 10,000; $(date -u +%Y-%m-%d)"
echo
echo "| method | budget | plan | cost | top-1 % |"
echo "| --- | --- | --- | --- | --- |"
for method in $METHODS; do
  start=$(date +%s.%N)
  "$CLI" sensitivity --model "$MODEL" --method "$method" --json >"$DIR/sens.json" 2>/dev/null
  sens_s=$(echo "$(date +%s.%N) - $start" | bc)
  start=$(date +%s.%N)
  "$CLI" sensitivity --model "$MODEL" --method "$method" --mode hessian --activation-bits none \
    --json >/dev/null 2>&1
  fast_s=$(echo "$(date +%s.%N) - $start" | bc)
  echo "<!-- $method sensitivity: measured ${sens_s} s, hessian ${fast_s} s -->"
  for budget in bops=w3a3 weights=w2a4; do
    preset=${budget#*=}
    kind=${budget%%=*}
    "$CLI" allocate --model "$MODEL" --method "$method" --budget "$budget" \
      --sensitivity "$DIR/sens.json" --out "$DIR/allocated.json" >/dev/null 2>&1
    "$CLI" allocate --model "$MODEL" --method "$method" --budget "$budget" \
      --sensitivity random:1 --out "$DIR/random.json" >/dev/null 2>&1
    for plan in uniform allocated random; do
      if [ "$plan" = uniform ]; then
        args="--method $method --bits $preset"
      else
        args="--plan $DIR/$plan.json"
      fi
      "$CLI" cost --model "$MODEL" $args --json >"$DIR/cost.json" 2>/dev/null
      c=$(json "$DIR/cost.json" "['$([ "$kind" = bops ] && echo bops || echo weight_bits)']")
      "$CLI" quantize --model "$MODEL" $args --epochs "$EPOCHS" --train-limit "$TRAIN" \
        --out "$DIR/q.bsck" --json >"$DIR/q.json" 2>/dev/null
      top1=$(json "$DIR/q.json" "['top1']")
      echo "| $method | $budget | $plan | $c | $top1 |"
    done
  done
done
