#pragma once
// FP32 training of a GraphModule on a dataset pair: the loop every later method builds on.
#include <functional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "graph/graph_module.h"
#include "train/checkpoint.h"
#include "train/train_config.h"
#include "util/progress.h"
#include "util/result.h"

namespace bitshift {

// What a running job reports; plain values only (the GUI copies these across threads).
struct TrainSnapshot {
  int epoch = 0;               // 0-based epoch in progress
  int epochs = 0;
  int64_t step = 0;            // global step, 1-based after the first batch
  int64_t steps_total = 0;
  double loss = 0.0;           // running mean over the current epoch
  double train_top1 = 0.0;     // running, percent
  double lr = 0.0;
  double images_per_second = 0.0;
  double elapsed_seconds = 0.0;
  double eta_seconds = 0.0;
  bool epoch_end = false;      // true on the snapshot sent after an epoch's evaluation
  double test_top1 = 0.0;      // valid when epoch_end
};

struct EpochRecord {
  int epoch = 0;
  double lr = 0.0;
  double train_loss = 0.0;
  double train_top1 = 0.0;
  double test_loss = 0.0;
  double test_top1 = 0.0;
  double test_top5 = 0.0;
  double seconds = 0.0;
  double images_per_second = 0.0;
  double data_wait_seconds = 0.0;  // of `seconds`, the time training waited for batches
  double sync_seconds = 0.0;  // of `seconds`, the time in collectives with other replicas
};

struct TrainResult {
  std::vector<EpochRecord> history;
  bool cancelled = false;
  double wall_seconds = 0.0;
  double images_per_second = 0.0;  // training images per second, whole run
};

// What a fine-tuning method adds to the plain loop (QAT sessions use it; FP32 training not).
struct TrainExtras {
  std::vector<torch::Tensor> parameters;  // e.g. clamps and steps
  double parameters_lr_scale = 1.0;       // their learning rate relative to the weights'
  bool parameters_weight_decay = false;   // whether the global weight decay applies to them
  std::function<void(double epoch_progress)> before_step;  // e.g. the gradual schedule
  std::function<void(Checkpoint&)> add_to_checkpoint;       // e.g. the quantizers' state
};

// Learning rate at a fractional epoch position for the configured schedule.
double learning_rate_at(const TrainConfig& config, double epoch_progress);

// Throws Error naming the first bad field (epochs < 1, lr <= 0, ...).
void validate(const TrainConfig& config);

// Trains `model` in place. `progress` is called every few steps and after each epoch; returning
// false cancels (the result then has cancelled = true and the model holds the latest weights).
Result<TrainResult> train(GraphModule& model, const DatasetPair& data, const TrainConfig& config,
                          const ProgressFn<TrainSnapshot>& progress = {},
                          const TrainExtras& extras = {});

}  // namespace bitshift
