# cmake -DOCLGRIND=... -DTEST_BINARY=... -DLOG_DIR=... -P oclgrind_check.cmake
# Runs every OpenCL runtime test under oclgrind (its checks for out-of-bounds accesses, data
# races and API misuse; every op on small odd shapes, both conv paths, windows of every shape)
# and fails when oclgrind reports anything or a device result differs from the reference.
# (The pair conv's vector requantization once read max(long16, long): oclgrind 21.10 broadcasts
# that scalar wrongly, PoCL does not; the kernels now spell such vectors out.)
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

run_under_oclgrind(runtime "OpenClRuntime.*" TRUE)
