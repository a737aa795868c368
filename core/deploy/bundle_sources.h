#pragma once
// Source files every export bundle carries, embedded into Bitshift at build time (by
// embed_bundle_sources.cmake, like the kernels): the standalone host program (host/: its
// CMakeLists.txt, main.cpp, the bundle reader, the comparison, the OpenCL runtime and
// integer/: the model and the integer ops) and FORMAT.md.
#include <vector>

namespace bitshift {

struct BundleSourceFile {
  const char* path;  // relative to the bundle root: "host/main.cpp", "FORMAT.md"
  const char* contents;
};

const std::vector<BundleSourceFile>& bundle_source_files();

}  // namespace bitshift
