#pragma once
// A zip archive's entries checked against the CRC-32 its central directory records, before
// LibTorch reads it: LibTorch's own zip reader skips that check (miniz built without it), and
// its TorchScript source parser crashes on some damaged code entries (found by the
// torchscript fuzz harness). Std + zlib only.
#include <string>

namespace bitshift {

// Throws Error starting with `where` for a file that is not a zip archive, an entry outside the
// file, a compression other than stored/deflate, or an entry whose data fails its CRC-32
// (naming the entry). Entries recorded with zip64 sizes are not checked.
void check_zip_entries(const std::string& path, const std::string& where);

}  // namespace bitshift
