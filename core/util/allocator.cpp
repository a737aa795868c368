#include "util/allocator.h"

#include <malloc.h>

#include <mutex>

namespace bitshift {

void keep_freed_memory() {
  static std::once_flag once;
  std::call_once(once, [] {
    constexpr int kOneGiB = 1 << 30;
    mallopt(M_MMAP_THRESHOLD, kOneGiB / 2);  // activations and gradients come from the heap
    mallopt(M_TRIM_THRESHOLD, kOneGiB);      // and stay there between steps
    mallopt(M_TOP_PAD, 256 << 20);
  });
}

}  // namespace bitshift
