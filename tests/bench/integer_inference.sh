#!/bin/sh
# Integer inference speed: the OpenCL executor (PoCL here) against LibTorch FP32 inference of the
# same network, each alone in its own process, alternating for ROUNDS rounds; prints each round
# and the median ratio. Usage: tests/bench/integer_inference.sh [build-dir] [model] [bits] [rounds]
set -e
BUILD=${1:-build}
cmake --build "$BUILD" --target integer_inference_bench >/dev/null
MODEL=${2:-resnet20}
BITS=${3:-w8a8}
ROUNDS=${4:-5}
BENCH="$BUILD/tests/integer_inference_bench"
export OMP_WAIT_POLICY=PASSIVE
echo "$MODEL $BITS, 1000 test images, batch 100, 2 threads, $ROUNDS rounds (img/s)"
for r in $(seq "$ROUNDS"); do
  fp32=$("$BENCH" "$MODEL" "$BITS" 1000 100 2 fp32 | awk '{print $3}')
  ocl=$("$BENCH" "$MODEL" "$BITS" 1000 100 2 opencl | awk '{print $2}')
  if [ -z "$fp32" ] || [ -z "$ocl" ]; then echo "round $r failed" >&2; exit 1; fi
  echo "round $r: libtorch fp32 $fp32, opencl $ocl, ratio $(echo "$ocl $fp32" | awk '{printf "%.2f", $1 / $2}')x"
done | tee /tmp/integer_inference_rounds.$$
awk '{print $NF}' /tmp/integer_inference_rounds.$$ | tr -d x | sort -n |
  awk '{v[NR] = $1} END {printf "opencl / libtorch fp32: median %.2fx, range %.2f-%.2fx\n", v[int((NR + 1) / 2)], v[1], v[NR]}'
rm -f /tmp/integer_inference_rounds.$$
