#!/usr/bin/env bash
# Per-layer sensitivity, fast against measured: for each model and method, the weight entries
# (every weight layer at 2, 3, 4, 6 and 8 bits) of `sensitivity --mode measured` (a quantized
# evaluation each) and `--mode hessian` (HAWQ-V2's Hutchinson estimate), both on the same 256
# calibration images; Spearman's rank correlation of their loss increases over all entries, and
# the wall time of each mode. Run alone: the times are the point.
# Usage: tests/bench/sensitivity.sh [build-dir]   (MODELS, METHODS override the lists)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
MODELS=${MODELS:-"lenet5 resnet20"}
METHODS=${METHODS:-"lsq nice"}
cmake --build "$BUILD" --target bitshift-cli >/dev/null 2>&1 || true
CLI="$BUILD/app/bitshift-cli"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export OMP_WAIT_POLICY=PASSIVE
echo "256 calibration images (seed 1), weights at 2/3/4/6/8 bits; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| model | method | entries | Spearman (hessian vs measured loss increase) | measured s | hessian s |"
echo "| --- | --- | --- | --- | --- | --- |"
for m in $MODELS; do
  for method in $METHODS; do
    for mode in measured hessian; do
      start=$(date +%s.%N)
      "$CLI" sensitivity --model "$m" --method "$method" --mode "$mode" --weight-bits 2,3,4,6,8 \
        --activation-bits none --json >"$DIR/$mode.json" 2>/dev/null
      echo "$(date +%s.%N) - $start" | bc >"$DIR/$mode.s"
    done
    /usr/bin/python3 - "$DIR" "$m" "$method" <<'PY'
import json, sys
d, model, method = sys.argv[1:4]
def entries(mode):
    return {(e["layer"], e["bits"]): e["loss_increase"] for e in json.load(open(f"{d}/{mode}.json"))["entries"]}
def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):  # ties share their mean rank
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2
        i = j + 1
    return r
m, h = entries("measured"), entries("hessian")
keys = sorted(m)
a, b = ranks([m[k] for k in keys]), ranks([h[k] for k in keys])
n = len(keys)
ma, mb = sum(a) / n, sum(b) / n
cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
sa = sum((x - ma) ** 2 for x in a) ** 0.5
sb = sum((y - mb) ** 2 for y in b) ** 0.5
t = {mode: float(open(f"{d}/{mode}.s").read()) for mode in ("measured", "hessian")}
print(f"| {model} | {method} | {n} | {cov / (sa * sb):.3f} | {t['measured']:.1f} | {t['hessian']:.1f} |")
PY
  done
done
