#!/usr/bin/env bash
# Every method to a bit-exact integer bundle: the zoo's LeNet-5 quantized by each of the nine
# methods at w4a4 (PoT+LUT, whose 4->8-bit table needs 8-bit activations: w4a8) with
# --edges quantized (one QAT epoch on 4,096 images), exported (agreement
# with the simulation on 2,000 test images) and verified layer by layer on OpenCL. Prints a
# Markdown table; a method that does not export shows the reason.
# Usage: tests/bench/method_export.sh [build-dir]   (BITS, default w4a4, overrides the bits)
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
BITS=${BITS:-w4a4}
cmake --build "$BUILD" --target bitshift-cli >/dev/null 2>&1
CLI="$BUILD/app/bitshift-cli"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export OMP_WAIT_POLICY=PASSIVE
last_error() { tr '\r' '\n' <"$DIR/err" | grep 'error' | tail -1 | cut -c1-160; }
echo "LeNet-5 (zoo baseline), $BITS, --edges quantized, 1 QAT epoch on 4096 images; agreement on"
echo "2000 test images; $(date -u +%Y-%m-%d)"
echo
echo "| method | bits | simulated % | integer % | same class % | differ | OpenCL verify | notes |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for m in nice uniq uniq-sym n2uq pot-lut lsq pact dorefa minmax; do
  bits=$BITS
  [ "$m" = pot-lut ] && bits="${BITS%a*}a8"
  if ! "$CLI" quantize --model lenet5 --method "$m" --bits "$bits" --edges quantized --epochs 1 \
      --train-limit 4096 --test-limit 1000 --out "$DIR/q.bsck" >/dev/null 2>"$DIR/err"; then
    echo "| $m | $bits | quantize failed: $(last_error) | | | | | |"
    continue
  fi
  "$CLI" export --model "$DIR/q.bsck" --agreement-images 2000 --out "$DIR/bundle" --json \
    >"$DIR/e.json" 2>"$DIR/err"
  /usr/bin/python3 - "$DIR/e.json" "$m" "$(last_error)" "$DIR/bundle/reports/agreement.json" "$bits" <<'PY'
import json, sys
try:
    e = json.load(open(sys.argv[1]))
except Exception:
    print("| %s | %s | export failed: %s | | | | | |" % (sys.argv[2], sys.argv[5], sys.argv[3]))
    sys.exit(0)
a = e["agreement"]; v = e.get("verification", {})
notes = json.load(open(sys.argv[4])).get("notes", [])
note = notes[0] + (" (+%d more)" % (len(notes) - 1) if len(notes) > 1 else "") if notes else ""
print("| %s | %s | %.2f | %.2f | %.2f | %d | %s | %s |" % (sys.argv[2], sys.argv[5], a["simulated_top1"],
      a["integer_top1"], a["agreement"], a["disagreements"], v.get("verdict", "not run"), note))
PY
done
