#pragma once
// CIFAR-10 binary batches: records of 1 label byte + 3072 pixel bytes (3x32x32, channel-major).
#include <string>
#include <vector>

#include "data/dataset.h"

namespace bitshift {

// Concatenates the records of `files`; throws Error naming a missing file, a size that is not
// a whole number of records, or a label above 9.
Dataset load_cifar10_batches(const std::vector<std::string>& files, const std::string& name);
// data_batch_1..5.bin as train, test_batch.bin as test, class names from batches.meta.txt.
DatasetPair load_cifar10_dir(const std::string& dir);

}  // namespace bitshift
