#pragma once
// Image folders: one sub-folder per class (sorted by name), PNG/JPEG/BMP/GIF/TGA files of any
// sizes. Small sets of one size are decoded into memory at once; the rest stay on disk and are
// decoded per batch with a bounded cache (data/image_files.h).
#include <cstdint>
#include <string>

#include "data/dataset.h"

namespace bitshift {

struct ImageFolderOptions {
  int64_t in_memory_bytes = int64_t{1} << 30;  // decode up front when all fit in this (one size)
  int64_t cache_bytes = int64_t{512} << 20;    // decoded-image cache of a set left on disk
};

// The side of the square a folder of mixed image sizes is served at when no model asks for
// another: the most common size's shorter side, at most this. Images of one size larger than
// this are served at this too.
constexpr int64_t kMixedSizeSide = 224;

// Class index = position of the sub-folder in name order; hidden entries ('.') are skipped.
// C = 1 if every image is grey, else 3 (grey images then expanded). Files that are not readable
// images are left out and listed in Dataset::skipped. Throws Error naming the folder: missing,
// no class folders, a class with no readable image.
Dataset load_image_folder(const std::string& dir, const std::string& name,
                          const ImageFolderOptions& options = {});
// dir/train and dir/test (or dir/val), with the same classes; an Error explains the layout if
// absent. Test images are fitted to the training set's shape when theirs differs.
DatasetPair load_image_folder_pair(const std::string& dir, const ImageFolderOptions& options = {});
// The folder dir/test, else dir/val ("" when neither exists).
std::string image_folder_test_dir(const std::string& dir);

}  // namespace bitshift
