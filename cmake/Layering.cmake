# The build refuses to configure when a layering rule of DESIGN.md is broken.
get_target_property(_core_libs bitshift_core LINK_LIBRARIES)
foreach(_lib IN LISTS _core_libs)
  if(_lib MATCHES "Qt")
    message(FATAL_ERROR "bitshift_core must not link Qt (found '${_lib}'): core/ is Qt-free.")
  endif()
endforeach()

# bitshift_forbid_includes(REGEX WHY FILES...): fails the configure naming the first file
# with an #include matching REGEX.
function(bitshift_forbid_includes regex why)
  foreach(_f IN LISTS ARGN)
    file(STRINGS ${_f} _found REGEX "${regex}")
    if(_found)
      message(FATAL_ERROR "${_f}: ${why}")
    endif()
  endforeach()
endfunction()

set(_qt_include "#include[ \t]*<Q")
set(_torch_include "#include[ \t]*[<\"](torch|ATen|c10)/")

file(GLOB_RECURSE _core_sources ${PROJECT_SOURCE_DIR}/core/*.h ${PROJECT_SOURCE_DIR}/core/*.cpp)
bitshift_forbid_includes("${_qt_include}" "includes a Qt header: core/ is Qt-free." ${_core_sources})

file(GLOB_RECURSE _widget_sources ${PROJECT_SOURCE_DIR}/widgets/*.h ${PROJECT_SOURCE_DIR}/widgets/*.cpp)
bitshift_forbid_includes("${_torch_include}"
  "includes a LibTorch header: widgets/ never sees LibTorch." ${_widget_sources})

# The studio: its Qt side (app/studio/*) sees no LibTorch header, its engine (app/studio/engine/)
# no Qt header; only engine/studio_engine.h (std types) joins them.
file(GLOB _studio_qt_sources ${PROJECT_SOURCE_DIR}/app/studio/*.h ${PROJECT_SOURCE_DIR}/app/studio/*.cpp)
bitshift_forbid_includes("${_torch_include}"
  "includes a LibTorch header: the studio's Qt side reaches the engine through engine/studio_engine.h."
  ${_studio_qt_sources})
file(GLOB _studio_engine_sources ${PROJECT_SOURCE_DIR}/app/studio/engine/*)
bitshift_forbid_includes("${_qt_include}" "includes a Qt header: the studio engine is Qt-free."
  ${_studio_engine_sources})
