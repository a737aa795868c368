#pragma once
// IDX files (MNIST, Fashion-MNIST): images [N, rows, cols] uint8 and labels [N] uint8,
// gzip-compressed or raw.
#include <string>

#include "data/dataset.h"

namespace bitshift {

// Reads an image file and its label file into one Dataset ([N, 1, rows, cols]). Throws Error
// naming the file and what was wrong: missing, wrong magic, truncated, counts that differ,
// labels outside [0, num_classes).
Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 const std::string& name, int num_classes = 10);

}  // namespace bitshift
