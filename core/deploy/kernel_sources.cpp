#include "deploy/kernel_sources.h"

namespace bitshift {

// kernel_files() is generated (embed_kernel_sources.cmake).

std::string kernel_source() {
  std::string source;
  for (const KernelFile& f : kernel_files()) {
    source += f.source;
    if (!source.empty() && source.back() != '\n') source += '\n';
  }
  return source;
}

}  // namespace bitshift
