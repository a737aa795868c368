#!/usr/bin/env bash
# Bitshift's two commands (see README.md):
#   ./bitshift.sh run [ARGS]   install missing Debian packages, build, run the studio's main job
#   ./bitshift.sh test         install missing Debian packages, build, run the whole test suite,
#                              then each libFuzzer harness for 5 s in a clang ASan+UBSan build
#   ./bitshift.sh studio       install missing Debian packages, build, open the Qt studio
#   ./bitshift.sh sanitize     build with clang, ASan and UBSan (build-sanitize/); run the core
#                              tests there and each fuzz harness for 20 s (tests/fuzz/README.md)
#   ./bitshift.sh fuzz [S]     same build; run each fuzz harness for S seconds (default 60)
# Safe to repeat: packages already present are not touched, the build is incremental.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

BUILD_DIR=${BITSHIFT_BUILD_DIR:-build}
# Everything the build, the tests and the default job need, as Debian packages.
PACKAGES=(cmake ninja-build g++ pkg-config
  libtorch-dev libgloo-dev libgoogle-glog-dev nlohmann-json3-dev zlib1g-dev libstb-dev libgtest-dev
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd oclgrind
  qt6-base-dev qt6-svg-dev libqcustomplot-dev fonts-dejavu-core xvfb xauth
  libonnx-dev libprotobuf-dev python3-torch python3-torchvision python3-venv
  dataset-fashion-mnist)

# The sanitizer and fuzzing build's compiler and runtimes.
SANITIZE_PACKAGES=(clang-14 libfuzzer-14-dev libclang-rt-14-dev)

install_missing_packages() {
  local missing=()
  for p in "${PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "bitshift: installing missing Debian packages: ${missing[*]}" >&2
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  if [[ ! -f $BUILD_DIR/build.ninja ]]; then
    # Unity build: LibTorch's templates are compiled once per batch of files instead of once per
    # file (a fresh build takes half the time; incremental work is faster without it).
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16
  fi
  cmake --build "$BUILD_DIR" -j "$(nproc)"
}

# build-sanitize/: clang, ASan + UBSan + libFuzzer coverage on every target of ours; the core
# libraries, their tests and the fuzz harnesses (no studio: its tests run in the main build).
SANITIZE_DIR=${BITSHIFT_SANITIZE_DIR:-build-sanitize}
build_sanitize() {  # [TARGET...]: only those (default: everything)
  if [[ ! -f $SANITIZE_DIR/build.ninja ]]; then
    CC=clang-14 CXX=clang++-14 cmake -S . -B "$SANITIZE_DIR" -G Ninja \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 \
      -DBITSHIFT_FUZZ=ON -DBITSHIFT_BUILD_GUI=OFF
  fi
  cmake --build "$SANITIZE_DIR" -j "$(nproc)" ${1:+--target "$@"}
}

cmd=${1:-run}
[[ $# -gt 0 ]] && shift
case "$cmd" in
  run)
    install_missing_packages
    build
    exec "$BUILD_DIR/app/bitshift-cli" run "$@"
    ;;
  studio)
    install_missing_packages
    build
    exec "$BUILD_DIR/app/studio/bitshift" "$@"
    ;;
  test)
    install_missing_packages "${SANITIZE_PACKAGES[@]}"
    build
    # As many tests at once as cores: OpenMP threads that sleep when idle (PASSIVE) instead of
    # spinning let two LibTorch processes share the cores (spinning slows both many times over).
    export OMP_WAIT_POLICY=PASSIVE
    status=0
    (cd "$BUILD_DIR" && ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@") || status=$?
    # The fuzz smoke: every parser's libFuzzer harness mutating its seeds for a few seconds under
    # ASan+UBSan (the build takes ~6 min; skipped when ctest was given a selection).
    if (($# == 0)); then
      build_sanitize fuzzers
      # A fixed seed: the smoke tries the same mutations each run (a new finding is a change's,
      # not chance's); long runs (./bitshift.sh fuzz) explore freely.
      rm -rf "$SANITIZE_DIR/test-tmp/fuzz-smoke"
      BITSHIFT_FUZZ_SEED=${BITSHIFT_FUZZ_SEED:-1} tests/fuzz/run_fuzzers.sh "$SANITIZE_DIR/tests/fuzz" \
        "${BITSHIFT_FUZZ_SMOKE_SECONDS:-5}" "$SANITIZE_DIR/test-tmp/fuzz-smoke" || status=1
    fi
    exit $status
    ;;
  sanitize)
    install_missing_packages "${SANITIZE_PACKAGES[@]}"
    build_sanitize
    cd "$SANITIZE_DIR"
    export OMP_WAIT_POLICY=PASSIVE
    # LibTorch and Qt are not instrumented: ASan cannot see their globals' bounds, and their own
    # leaks at exit are theirs (tests/fuzz/lsan.supp); every report from our code is fatal.
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$PWD/../tests/fuzz/lsan.supp
    exec ctest --output-on-failure --timeout 900 -j "$(nproc)" -L "${BITSHIFT_SANITIZE_LABELS:-integer|deploy|data|graph|quant|fuzz}" "$@"
    ;;
  fuzz)
    install_missing_packages "${SANITIZE_PACKAGES[@]}"
    build_sanitize
    exec tests/fuzz/run_fuzzers.sh "$SANITIZE_DIR/tests/fuzz" "${1:-60}" "$SANITIZE_DIR/test-tmp/fuzz-long"
    ;;
  *)
    echo "usage: ./bitshift.sh run [ARGS] | test | studio [PROJECT] | sanitize | fuzz [SECONDS]" >&2
    exit 2
    ;;
esac
