#include "train/model_source.h"

#include <cstdlib>
#include <filesystem>

#include "data/fit.h"
#include "import/import.h"
#include "models/zoo.h"
#include "train/checkpoint.h"
#include "train/quantized_checkpoint.h"
#include "util/error.h"

namespace bitshift {

namespace fs = std::filesystem;

std::string resource_dir() {
  if (const char* env = std::getenv("BITSHIFT_RESOURCES")) return env;
  if (fs::exists(BITSHIFT_RESOURCE_DIR)) return BITSHIFT_RESOURCE_DIR;
  return "/usr/share/bitshift";  // installed by the .deb
}

std::string baseline_path(const std::string& model, const std::string& dataset) {
  return resource_dir() + "/baselines/" + model + "-" + dataset + ".bsck";
}

LoadedModel load_model(const std::string& name_or_file, const DatasetPair& data,
                       const std::string& dataset_name, bool pretrained, double width,
                       uint64_t init_seed) {
  const Shape input{data.train.channels(), data.train.height(), data.train.width(), false};
  LoadedModel out;
  std::string checkpoint_path;
  const bool is_file = name_or_file.find('/') != std::string::npos ||
                       name_or_file.find(".bsck") != std::string::npos || fs::exists(name_or_file);
  if (is_file) {
    checkpoint_path = name_or_file;
  } else {
    out.module =
        GraphModule(build_model(name_or_file, input, data.train.num_classes, width), init_seed);
    out.origin = "zoo:" + name_or_file + " (random init)";
    out.normalization = data.normalization;
    out.data = data;
    const std::string shipped = baseline_path(name_or_file, dataset_name);
    if (!pretrained || !fs::exists(shipped)) return out;
    checkpoint_path = shipped;
  }
  const bool imported = is_file && is_importable_model(checkpoint_path);
  Checkpoint ck = imported ? import_model(checkpoint_path, input) : load_checkpoint(checkpoint_path);
  const Shape ck_in = ck.graph.input_shape();
  require((ck_in == input || is_file) && ck.graph.num_classes() == data.train.num_classes,
          std::string(imported ? "model" : "checkpoint") + " '" + checkpoint_path +
              "' was made for input " + ck_in.str() + " with " +
              std::to_string(ck.graph.num_classes()) + " classes, but dataset '" + dataset_name +
              "' has " + input.str() + " with " + std::to_string(data.train.num_classes) +
              (ck_in == input ? "" : " (a model file may take another image shape; the classes must match)"));
  // A model file for another image shape gets the data fitted to its input.
  out.data = fit_dataset(data, ck_in.c, ck_in.h, ck_in.w, &out.data_note);
  // An imported model carries no normalisation of its own: the (fitted) data's applies.
  if (ck.normalization.mean.empty()) ck.normalization = out.data.normalization;
  if (out.module) {
    load_weights(out.module, ck, checkpoint_path);
  } else if (is_quantized(ck)) {
    out.quantized_network = load_quantized(ck, checkpoint_path);
    out.module = out.quantized_network.model;  // the module keeps its hooks
    out.quantized = true;
  } else {
    out.module = module_from_checkpoint(ck);
  }
  out.origin = checkpoint_path;
  out.pretrained = true;
  out.normalization = ck.normalization;
  out.meta = ck.meta;
  return out;
}

}  // namespace bitshift
