#include "deploy/bundle_writer.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "deploy/bundle_sources.h"
#include "deploy/conformance.h"
#include "deploy/host/bundle_reader.h"
#include "deploy/kernel_sources.h"
#include "deploy/manifest.h"
#include "deploy/network_json.h"
#include "integer/reference_executor.h"
#include "util/error.h"

namespace bitshift {

namespace fs = std::filesystem;

namespace {

// Report names are plain file names; verification.* belongs to verify_bundle.
void check_report_name(const std::string& name) {
  require(!name.empty() && name.find('/') == std::string::npos &&
              name.find('\\') == std::string::npos && name != "." && name != "..",
          "report name '" + name + "' is not a plain file name");
  require(name.rfind("verification.", 0) != 0,
          "report name '" + name + "' is reserved for verify (reports/verification.*)");
}

void write_plain(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  require(out.good(), "cannot write '" + path.string() + "': " + std::strerror(errno));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  require(out.good(), "writing '" + path.string() + "' failed (disk full?)");
}

// Moves the finished `tmp` to `dir`; an existing `dir` is set aside first and
// removed only after the new one is in place.
void replace_dir(const fs::path& tmp, const fs::path& dir, const std::string& suffix) {
  std::error_code ec;
  fs::path old;
  if (fs::exists(dir)) {
    old = dir.string() + ".old-" + suffix;
    fs::rename(dir, old, ec);
    require(!ec, "cannot move the old bundle '" + dir.string() + "' aside: " + ec.message());
  }
  fs::rename(tmp, dir, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, dir);
    throw Error("cannot rename '" + tmp.string() + "' to '" + dir.string() + "': " + ec.message());
  }
  if (!old.empty()) fs::remove_all(old, ec);
}

std::vector<BundleFile> all_files(const IntegerModel& model, const IntTensor& input,
                                  const std::vector<IntTensor>& golden,
                                  const std::vector<std::pair<std::string, std::string>>& reports,
                                  std::vector<std::string>& kernels) {
  std::vector<BundleFile> files = network_files(model);
  for (const BundleSourceFile& f : bundle_source_files()) files.push_back({f.path, f.contents});
  for (const KernelFile& k : kernel_files()) {
    kernels.push_back(std::string("device/") + k.name);
    files.push_back({kernels.back(), k.source});
  }
  for (BundleFile& f : testvector_files(model, input, golden)) files.push_back(std::move(f));
  // The conformance network (deploy/conformance.h): golden vectors that pin the rounding.
  const IntegerModel conformance = conformance_model();
  const IntTensor conformance_x = conformance_input(conformance);
  for (BundleFile& f : network_files(conformance, kConformanceDir)) files.push_back(std::move(f));
  for (BundleFile& f : testvector_files(conformance, conformance_x,
                                        run_reference(conformance, conformance_x), kConformanceDir))
    files.push_back(std::move(f));
  for (const auto& r : reports) {
    check_report_name(r.first);
    files.push_back({"reports/" + r.first, r.second});
  }
  return files;
}

}  // namespace

namespace {

fs::path bundle_target(const std::string& dir_name) {
  const fs::path dir = fs::absolute(fs::path(dir_name).lexically_normal()).lexically_normal();
  return dir.has_filename() ? dir : dir.parent_path();  // "out/" -> "out"
}

}  // namespace

std::string prepare_bundle_target(const std::string& dir_name) {
  require(!dir_name.empty(), "no bundle directory given");
  const fs::path target = bundle_target(dir_name);
  // Replacing is for bundles: a directory of anything else is never removed.
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target, ec)))
    require(!fs::is_symlink(fs::symlink_status(target, ec)) && fs::is_directory(target) &&
                (fs::is_empty(target) || fs::exists(target / "MANIFEST.json")),
            "'" + target.string() + "' exists and is not an export bundle (no MANIFEST.json); " +
                "refusing to replace it");
  // The nearest existing ancestor must take new entries (the bundle's folder is made there).
  fs::path parent = target.parent_path();
  while (!parent.empty() && !fs::exists(parent, ec) && parent != parent.parent_path()) parent = parent.parent_path();
  require(::access(parent.c_str(), W_OK | X_OK) == 0,
          "cannot write the bundle '" + target.string() + "': folder '" + parent.string() + "' is not writable");
  fs::create_directories(target.parent_path(), ec);
  require(!ec, "cannot create '" + target.parent_path().string() + "': " + ec.message());
  return target.string();
}

void write_bundle(const std::string& dir_name, const IntegerModel& model, const IntTensor& input,
                  const std::vector<IntTensor>& golden,
                  const std::vector<std::pair<std::string, std::string>>& reports,
                  const std::function<void(const std::string& tmp_dir)>& before_publish) {
  const fs::path target = prepare_bundle_target(dir_name);
  std::vector<std::string> kernels;
  std::vector<BundleFile> files = all_files(model, input, golden, reports, kernels);
  const std::string manifest = manifest_json(model, files, kernels);

  std::error_code ec;
  std::string pattern = target.string() + ".tmp-XXXXXX";
  require(::mkdtemp(pattern.data()) != nullptr, "cannot create a temporary directory next to '" +
                                                    target.string() + "': " + std::strerror(errno));
  const fs::path tmp = pattern;
  try {
    // mkdtemp makes the directory private (0700); a bundle is meant to be shared.
    fs::permissions(tmp, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
    for (const BundleFile& f : files) write_plain(tmp / f.path, f.bytes);
    write_plain(tmp / "MANIFEST.json", manifest);
    try {
      load_bundle(tmp.string());  // what the reader refuses must not be published
    } catch (const std::runtime_error& e) {
      throw Error(std::string("the written bundle does not read back: ") + e.what());
    }
    if (before_publish) before_publish(tmp.string());
    replace_dir(tmp, target, pattern.substr(pattern.size() - 6));
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
}

}  // namespace bitshift
