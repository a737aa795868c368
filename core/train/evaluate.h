#pragma once
// Accuracy of a model on a dataset: top-1, top-5 (percent) and mean cross-entropy.
#include "data/dataset.h"
#include "dist/replicas.h"
#include "graph/graph_module.h"

namespace bitshift {

struct EvalResult {
  double top1 = 0.0;  // percent
  double top5 = 0.0;  // percent
  double loss = 0.0;  // mean cross-entropy
  int64_t images = 0;
  double seconds = 0.0;
};

// Evaluates in eval mode without gradients; restores the module's train/eval mode afterwards.
// With `replicas`, each replica evaluates its rows of every batch and every replica gets the
// totals over the whole dataset.
EvalResult evaluate(GraphModule& model, const Dataset& data, const Normalization& norm,
                    int64_t batch_size = 500, Replicas* replicas = nullptr);

// Counts of correct top-1 and top-k predictions in one batch of logits.
struct TopK {
  int64_t top1 = 0;
  int64_t top5 = 0;
};
TopK count_correct(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace bitshift
