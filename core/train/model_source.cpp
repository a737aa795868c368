#include "train/model_source.h"

#include <cstdlib>
#include <filesystem>

#include "data/fit.h"
#include "import/import.h"
#include "models/zoo.h"
#include "train/checkpoint.h"
#include "train/quantized_checkpoint.h"
#include "train/rehead.h"
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
                       const std::string& dataset_name, const ModelOptions& options) {
  const bool pretrained = options.pretrained;
  const int num_classes = options.num_classes;
  const Shape input{data.train.channels(), data.train.height(), data.train.width(), false};
  LoadedModel out;
  std::string checkpoint_path;
  const bool is_file = name_or_file.find('/') != std::string::npos ||
                       name_or_file.find(".bsck") != std::string::npos || fs::exists(name_or_file);
  if (is_file) {
    checkpoint_path = name_or_file;
  } else {
    out.module = GraphModule(
        build_model(name_or_file, input, data.train.num_classes, options.width), options.init_seed);
    out.origin = "zoo:" + name_or_file + " (random init)";
    out.normalization = data.normalization;
    out.data = data;
    const std::string shipped = baseline_path(name_or_file, dataset_name);
    if (!pretrained || !fs::exists(shipped)) return out;
    checkpoint_path = shipped;
  }
  // Errors found deep inside (a layer's shape, a quantizer's parameters) get the file's name.
  return naming_file("model file", checkpoint_path, [&] {
    const bool imported = is_file && is_importable_model(checkpoint_path);
    Checkpoint ck = imported
                        ? import_model(checkpoint_path, options.input.c > 0 ? options.input : input)
                        : load_checkpoint(checkpoint_path);
    const Shape ck_in = ck.graph.input_shape();
    const int classes = data.train.num_classes;
    if (num_classes > 0) {
      require(num_classes == classes, "--num-classes " + std::to_string(num_classes) + ": dataset '" +
                                          dataset_name + "' has " + std::to_string(classes) +
                                          " classes; the new head must have as many");
      if (ck.graph.num_classes() != classes) {
        require(!is_quantized(ck), "'" + checkpoint_path + "' is a quantized checkpoint for " +
                                       std::to_string(ck.graph.num_classes()) +
                                       " classes; only an FP32 model can get a new head for " +
                                       std::to_string(classes));
        out.head_note = "'" + classifier_layer(ck.graph) + "' replaced by a new layer with " +
                        std::to_string(classes) + " outputs (was " +
                        std::to_string(ck.graph.num_classes()) + "), freshly initialised";
        ck = rehead(ck, classes, options.init_seed);
      }
    }
    const bool classes_differ = ck.graph.num_classes() != classes;
    require((ck_in == input || is_file) && !classes_differ,
            std::string(imported ? "model" : "checkpoint") + " '" + checkpoint_path +
                "' was made for input " + ck_in.str() + " with " +
                std::to_string(ck.graph.num_classes()) + " classes, but dataset '" + dataset_name +
                "' has " + input.str() + " with " + std::to_string(classes) + " classes" +
                (classes_differ && is_file && !is_quantized(ck)
                     ? " (to fine-tune it on these classes, pass --num-classes " +
                           std::to_string(classes) + ": its last layer '" +
                           classifier_layer(ck.graph) + "' is replaced by a new one)"
                 : ck_in == input ? ""
                                  : " (a model file may take another image shape; the classes "
                                    "must match)"));
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
  });
}

}  // namespace bitshift
