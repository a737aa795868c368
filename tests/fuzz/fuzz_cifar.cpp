// A CIFAR-10 binary batch (records of 1 label byte + 3x32x32 pixels).
#include "data/cifar10.h"
#include "fuzz_common.h"
#include "util/error.h"

BITSHIFT_FUZZ_TARGET(cifar) {
  using namespace bitshift;
  const std::string path = fuzz::write_input("data_batch_1.bin", data, size);
  fuzz::expect_accept_or_refuse<Error>(path, [&] { (void)load_cifar10_batches({path}, "fuzz"); });
  return 0;
}
