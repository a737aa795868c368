#pragma once
// Opening a dataset by name ("fashion-mnist") or by folder (IDX files, CIFAR-10 binary
// batches, or an image folder with train/ and test/), with its normalisation measured.
#include <string>
#include <vector>

#include "data/dataset.h"
#include "util/result.h"

namespace bitshift {

// "fashion-mnist" (also the default, for "") or a folder holding IDX files (MNIST-style),
// CIFAR-10 binary batches, or an image folder with train/ and test/. The normalisation is
// measured on the training split. Throws Error naming the unknown name or the folder and what
// was looked for.
DatasetPair open_dataset(const std::string& name_or_dir);
// "" or e.g. "2 files left out, not readable as images: a/x.txt, b/y.jpg" for image folders.
std::string skipped_note(const DatasetPair& data);
Result<DatasetPair> try_open_dataset(const std::string& name_or_dir);
// Names open_dataset() knows without a folder.
std::vector<std::string> known_datasets();

}  // namespace bitshift
