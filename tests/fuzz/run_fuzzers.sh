#!/usr/bin/env bash
# Runs libFuzzer harnesses (built with -DBITSHIFT_FUZZ=ON) for a set time each, over their seed
# corpus (tests/fuzz/corpus/<name>, never written) plus a work corpus of what they found.
#   tests/fuzz/run_fuzzers.sh BIN_DIR SECONDS WORK_DIR [NAME...]   (default: every harness)
# Prints one line per harness (executions, exec/s, peak RSS, new corpus units) and exits 1 when
# any found a crash, leak, timeout (10 s) or an allocation over 2 GiB; the input that did it is
# kept as WORK_DIR/<name>-crash-* (reproduce: BIN_DIR/fuzz_<name> FILE).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: run_fuzzers.sh BIN_DIR SECONDS WORK_DIR [NAME...]}
seconds=${2:?seconds}
work=${3:?work dir}
shift 3
names=("$@")
if ((${#names[@]} == 0)); then
  # fuzz_replay (every harness over files, for ctest) is no libFuzzer program.
  for f in "$bin"/fuzz_*; do [[ -x $f && -f $f && $f != */fuzz_replay ]] && names+=("${f##*/fuzz_}"); done
fi
mkdir -p "$work"
# BITSHIFT_FUZZ_SEED fixes libFuzzer's mutation sequence (CI's smoke: the same inputs each run).
seed=()
[[ -n ${BITSHIFT_FUZZ_SEED:-} ]] && seed=(-seed="$BITSHIFT_FUZZ_SEED")
status=0
for name in "${names[@]}"; do
  mkdir -p "$work/$name-corpus"
  # JSON readers get the JSON tokens and our files' key names to mutate with.
  dict=()
  case $name in checkpoint|run_record|plan|project|bundle|sensitivity) dict=(-dict="$here/json.dict") ;; esac
  log=$work/$name.log
  # One worker; ASan's leak check at exit (lsan.supp: leaks inside LibTorch); RSS and single
  # allocations capped at 2 GiB.
  LSAN_OPTIONS=suppressions=$here/lsan.supp "$bin/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/$name-" "${dict[@]}" ${seed[@]+"${seed[@]}"} \
    "$work/$name-corpus" "$here/corpus/$name" >"$log" 2>&1
  rc=$?
  stat() { grep -m1 "^stat::$1:" "$log" | awk '{print $2}'; }
  runs=$(stat number_of_executed_units); rate=$(stat average_exec_per_sec)
  rss=$(stat peak_rss_mb); units=$(stat new_units_added)
  if ((rc == 0)); then
    printf '%-12s ok      %10s runs %7s/s  peak %5s MB  +%s units\n' "$name" "${runs:-?}" "${rate:-?}" "${rss:-?}" "${units:-?}"
  else
    status=1
    printf '%-12s FAILED  exit %s after %s runs; see %s\n' "$name" "$rc" "${runs:-?}" "$log"
    grep -m3 -E "FINDING|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error" -A2 "$log" | sed 's/^/    /'
  fi
done
exit $status
