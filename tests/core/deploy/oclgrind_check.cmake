# cmake -DOCLGRIND=... -DTEST_BINARY=... -DLOG_DIR=... -P oclgrind_check.cmake
# Runs OpenCL runtime tests under oclgrind (its checks for out-of-bounds accesses, data races and
# API misuse) and fails when oclgrind reports anything:
#  1. every op on small odd shapes through bs_conv: the device must also equal the reference;
#  2. the 16-bit pair conv path (bs_stage_pairs, bs_conv_pairs): oclgrind 21.10 reports nothing
#     there but computes lanes >= 2 differently from PoCL and the reference (both madd forms equal
#     the reference on PoCL), so only its report is checked.
function(run_under_oclgrind name filter must_pass)
  set(_log ${LOG_DIR}/oclgrind-${name}.log)
  file(REMOVE ${_log})
  execute_process(
    COMMAND ${OCLGRIND} --data-races --check-api --log ${_log} ${TEST_BINARY}
            --gtest_filter=${filter}
    RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  set(_report "")
  if(EXISTS ${_log})
    file(READ ${_log} _report)
  endif()
  if(NOT _report STREQUAL "")
    message(FATAL_ERROR "oclgrind reported on ${filter}:\n${_report}")
  endif()
  if(must_pass AND NOT _rc EQUAL 0)
    message(FATAL_ERROR "${filter} failed under oclgrind (exit ${_rc}):\n${_out}")
  endif()
  message(STATUS "${filter}: oclgrind reported nothing (exit ${_rc})")
endfunction()

run_under_oclgrind(every-op "OpenClRuntime.EveryOpOnSmallOddShapesEqualsReference" TRUE)
run_under_oclgrind(pairs "OpenClRuntime.ConcatsSplitsAndShufflesEqualReference" FALSE)
