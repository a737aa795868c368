#pragma once
// Harnesses that open a model file as the CLI's --model does: the few in-memory images it is
// opened against (Fashion-MNIST's shape, 10 classes), and the checks after a successful load.
#include <torch/torch.h>

#include "data/dataset.h"
#include "graph/graph.h"
#include "train/model_source.h"

namespace bitshift::fuzz {

inline DatasetPair tiny_fashion_data() {
  DatasetPair d;
  for (Dataset* s : {&d.train, &d.test}) {
    s->name = "fuzz";
    s->images = torch::zeros({4, 1, 28, 28}, torch::kUInt8);
    s->labels = torch::arange(4, torch::kLong);
    s->num_classes = 10;
    for (int i = 0; i < 10; ++i) s->class_names.push_back(std::to_string(i));
  }
  d.normalization.mean = {0.5f};
  d.normalization.std = {0.25f};
  return d;
}

// load_model as `summary`, `eval` and `quantize` call it, then the summary they print.
inline void open_model(const std::string& path) {
  static const DatasetPair data = tiny_fashion_data();
  LoadedModel m = load_model(path, data, "fashion-mnist");
  (void)summary_table(m.module->graph());
}

}  // namespace bitshift::fuzz
