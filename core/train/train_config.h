#pragma once
// Hyper-parameters of an FP32 training run (also the base of QAT fine-tuning runs).
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace bitshift {

struct Dataset;
class Replicas;
struct ResumePoint;

enum class OptimizerKind { OptimizerSgd, OptimizerAdam };
enum class LrSchedule { LrConstant, LrStep, LrCosine };

struct TrainConfig {
  int epochs = 10;
  int64_t batch_size = 128;
  OptimizerKind optimizer = OptimizerKind::OptimizerSgd;
  double lr = 0.1;
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 5e-4;
  LrSchedule schedule = LrSchedule::LrCosine;
  int step_size = 30;  // LrStep: epochs between decays
  double gamma = 0.1;  // LrStep: decay factor
  double label_smoothing = 0.0;
  int crop_padding = 0;  // random crop with this zero padding (0 = off)
  bool horizontal_flip = false;
  bool random_resized_crop = false;  // torchvision's RandomResizedCrop to the model's input
  uint64_t seed = 1;
  int threads = 0;          // 0 = all cores
  std::string device = "cpu";  // where tensors live: cpu, cuda or cuda:N (train/device.h)
  int64_t train_limit = 0;  // use only the first N training images (0 = all)
  int64_t test_limit = 0;   // evaluate on the first N test images (0 = all)
  int64_t eval_batch_size = 500;
  std::string checkpoint_path;  // when set, a checkpoint is written (atomically) after each epoch
  // Data-parallel run (dist/replicas.h): the global batch of batch_size images is split over
  // the replicas, gradients are averaged over it, BatchNorm is synchronised, and only rank 0
  // writes checkpoints. Null: one process. Not a hyper-parameter (to_json records its size).
  std::shared_ptr<Replicas> replicas;
  // With replicas: BatchNorm's statistics over the global batch (true: what one process
  // computes, at two small collectives per BatchNorm layer and step) or over each replica's
  // rows (false: no per-layer collective; running statistics averaged after each epoch).
  bool sync_batchnorm = true;
  // Continue an interrupted run from its last complete epoch (train/resume.h): weights,
  // optimizer, generator and history from there, then the remaining epochs. Null: from the start.
  std::shared_ptr<const ResumePoint> resume;
};

// Replicas in the run (1 without replicas); rank 0 is the one that writes files and reports.
int world_size(const TrainConfig& c);
bool writes_files(const TrainConfig& c);

// Training augmentation by name: "none", "crop" (random crop with padding 2, flip) or
// "resized-crop" (RandomResizedCrop, flip); throws Error for another name.
void set_augmentation(TrainConfig& c, const std::string& mode);
// What suits the data when the user says nothing: "resized-crop" for photos (image folders),
// "none" otherwise.
std::string default_augmentation(const Dataset& train);

nlohmann::json to_json(const TrainConfig& c);
// Reads the keys present in `j` over the defaults; throws Error naming a bad key or value.
TrainConfig train_config_from_json(const nlohmann::json& j);

const char* optimizer_name(OptimizerKind k);
const char* schedule_name(LrSchedule s);
OptimizerKind optimizer_from_name(const std::string& name);
LrSchedule schedule_from_name(const std::string& name);

}  // namespace bitshift
