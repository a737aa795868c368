# Sanitizer and fuzzing builds (issue 16). Both are separate build folders made with clang:
#   -DBITSHIFT_SANITIZE=address,undefined  every target built with ASan + UBSan; a finding
#                                           aborts the test that hit it (no recovery).
#   -DBITSHIFT_FUZZ=ON                      adds libFuzzer coverage to every target and builds
#                                           the harnesses of tests/fuzz/ (Debian: clang-14,
#                                           libfuzzer-14-dev). Implies address,undefined.
# LibTorch, Qt and the other Debian libraries stay uninstrumented; ASan still sees every
# allocation our code makes or frees through them.
set(BITSHIFT_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address,undefined")
option(BITSHIFT_FUZZ "Build the libFuzzer harnesses of tests/fuzz (needs clang)" OFF)

if(BITSHIFT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "-DBITSHIFT_FUZZ=ON needs clang (libFuzzer): configure with "
      "-DCMAKE_CXX_COMPILER=clang++-14 (Debian packages clang-14 and libfuzzer-14-dev).")
  endif()
  if(NOT BITSHIFT_SANITIZE)
    set(BITSHIFT_SANITIZE address,undefined)
  endif()
endif()

if(BITSHIFT_SANITIZE)
  # vptr checks need the dynamic types of LibTorch's and Qt's classes, which are not built with
  # UBSan; every other undefined-behaviour check is on and fatal.
  set(_san -fsanitize=${BITSHIFT_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  if(BITSHIFT_SANITIZE MATCHES "undefined")
    list(APPEND _san -fno-sanitize=vptr)
  endif()
  add_compile_options(${_san} -g)
  add_link_options(${_san})
  message(STATUS "bitshift: sanitizers ${BITSHIFT_SANITIZE}")
endif()

if(BITSHIFT_FUZZ)
  # Coverage for libFuzzer in every target; only the harnesses link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
