#pragma once
// The OpenCL C 1.2 kernels (deploy/device/*.cl), embedded into Bitshift at build time by
// embed_kernel_sources.cmake: the OpenCL runtime builds them, export bundles ship them as
// device/*.cl.
#include <string>
#include <vector>

namespace bitshift {

struct KernelFile {
  const char* name;    // file name: "conv.cl"
  const char* source;  // its OpenCL C text
};

// Every kernel file in build order (common.cl, which the others use, first).
const std::vector<KernelFile>& kernel_files();

// All kernel files concatenated in that order, each ending in a newline: one program's source,
// the same text a bundle reader builds from device/*.cl in MANIFEST order.
std::string kernel_source();

}  // namespace bitshift
