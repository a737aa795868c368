// One file of an image folder (PNG, JPEG, BMP, GIF, ... as stb decodes them), read as grey and
// as colour, the way the image-folder loader decodes a training image.
#include <torch/torch.h>

#include "data/image_files.h"
#include "fuzz_common.h"
#include "util/error.h"

BITSHIFT_FUZZ_TARGET(image) {
  using namespace bitshift;
  const std::string path = fuzz::write_input("image", data, size);
  for (int channels : {1, 3}) {
    fuzz::expect_accept_or_refuse<Error>(path, [&] {
      const torch::Tensor t = decode_image_file(path, channels);
      if (t.dim() != 3 || t.size(0) != channels) fuzz::finding("image of the wrong shape", path);
    });
  }
  return 0;
}
