#pragma once
// Keeps freed memory in the process instead of handing it back to the kernel after every
// training step: glibc returns large blocks with munmap and the next step page-faults them in
// again, which measured ~15 % of a small CNN's training time (tests/bench/README.md).
namespace bitshift {

// Raises glibc's mmap and trim thresholds once per process; safe to call repeatedly.
void keep_freed_memory();

}  // namespace bitshift
