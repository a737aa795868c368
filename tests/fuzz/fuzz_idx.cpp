// IDX image + label files (plain or gzip). The input holds both: a little-endian uint32 length
// n, then n bytes of the images file, then the labels file.
#include <cstring>

#include "data/idx.h"
#include "fuzz_common.h"
#include "util/error.h"

BITSHIFT_FUZZ_TARGET(idx) {
  using namespace bitshift;
  if (size < 4) return 0;
  uint32_t n = 0;
  std::memcpy(&n, data, 4);
  const size_t images_size = std::min<size_t>(n, size - 4);
  const std::string images = fuzz::write_input("images-idx3-ubyte", data + 4, images_size);
  const std::string labels =
      fuzz::write_input("labels-idx1-ubyte", data + 4 + images_size, size - 4 - images_size);
  fuzz::expect_accept_or_refuse<Error>(fuzz::scratch_dir(), [&] {
    const Dataset d = load_idx(images, labels, "fuzz");
    (void)d;
  });
  return 0;
}
