#pragma once
// Image folders: one sub-folder per class (sorted by name), PNG/JPEG/BMP files of one size.
#include <string>

#include "data/dataset.h"

namespace bitshift {

// Class index = position of the sub-folder in name order; hidden entries ('.') are skipped.
// C = 1 if every image is grey, else 3 (grey images then expanded). Throws Error naming the
// folder or file: missing folder, no class folders, an empty class, a file that is not a
// decodable image, an image of another size than the first.
Dataset load_image_folder(const std::string& dir, const std::string& name);
// dir/train and dir/test, with the same classes; an Error explains the layout if absent.
DatasetPair load_image_folder_pair(const std::string& dir);

}  // namespace bitshift
