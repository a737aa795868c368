#include "train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cmath>
#include <thread>

#include "data/batcher.h"
#include "data/prefetcher.h"
#include "dist/data_parallel.h"
#include "train/checkpoint.h"
#include "train/device.h"
#include "train/evaluate.h"
#include "train/optimizer.h"
#include "train/resume.h"
#include "util/allocator.h"
#include "util/error.h"

namespace bitshift {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Dataset family name ("fashion-mnist") from a split name ("fashion-mnist/train").
std::string family_of(const std::string& split_name) {
  return split_name.substr(0, split_name.rfind('/'));
}

// One step's numbers, summed over the replicas in one small all-reduce.
struct StepTotals {
  double loss_sum = 0.0;  // summed over the images, not averaged
  int64_t correct = 0;
  int64_t images = 0;
  bool stop = false;  // some replica was asked to stop
};

StepTotals all_reduce(Replicas& replicas, const StepTotals& t) {
  std::vector<torch::Tensor> v = {torch::tensor(
      {t.loss_sum, static_cast<double>(t.correct), static_cast<double>(t.images), t.stop ? 1.0 : 0.0},
      torch::kDouble)};
  replicas.all_reduce_sum(v, "step totals all-reduce");
  const double* p = v[0].data_ptr<double>();
  return {p[0], static_cast<int64_t>(p[1]), static_cast<int64_t>(p[2]), p[3] > 0.0};
}

// What the optimizer changes: the model's parameters and the method's (clamps, steps).
std::vector<torch::Tensor> trained_parameters(GraphModule& model, const TrainExtras& extras) {
  auto out = model->parameters();
  out.insert(out.end(), extras.parameters.begin(), extras.parameters.end());
  return out;
}

// What must be equal on every replica: the model's parameters and buffers, the method's
// parameters.
std::vector<torch::Tensor> trained_state(GraphModule& model, const TrainExtras& extras) {
  auto out = module_state(*model);
  out.insert(out.end(), extras.parameters.begin(), extras.parameters.end());
  return out;
}

// The model's BatchNorm syncs over the replicas while training, and no longer afterwards.
class ReplicaScope {
 public:
  ReplicaScope(GraphModule& model, std::shared_ptr<Replicas> replicas) : model_(model) {
    model_->set_replicas(std::move(replicas));
  }
  ~ReplicaScope() { model_->set_replicas(nullptr); }

 private:
  GraphModule& model_;
};

}  // namespace

void validate(const TrainConfig& c) {
  require(c.epochs >= 1, "epochs must be at least 1, got " + std::to_string(c.epochs));
  require(c.batch_size >= 1, "batch size must be at least 1, got " + std::to_string(c.batch_size));
  require(c.lr > 0.0 && std::isfinite(c.lr), "learning rate must be positive, got " + std::to_string(c.lr));
  require(c.weight_decay >= 0.0, "weight decay must be >= 0, got " + std::to_string(c.weight_decay));
  require(c.label_smoothing >= 0.0 && c.label_smoothing < 1.0,
          "label smoothing must be in [0, 1), got " + std::to_string(c.label_smoothing));
  require(c.crop_padding >= 0, "crop padding must be >= 0, got " + std::to_string(c.crop_padding));
  require(c.threads >= 0, "threads must be >= 0, got " + std::to_string(c.threads));
}

double learning_rate_at(const TrainConfig& c, double epoch_progress) {
  switch (c.schedule) {
    case LrSchedule::LrConstant:
      return c.lr;
    case LrSchedule::LrStep:
      return c.lr * std::pow(c.gamma, std::floor(epoch_progress / std::max(1, c.step_size)));
    case LrSchedule::LrCosine:
      return 0.5 * c.lr * (1.0 + std::cos(M_PI * std::min(1.0, epoch_progress / c.epochs)));
  }
  return c.lr;
}

Result<TrainResult> train(GraphModule& model, const DatasetPair& data, const TrainConfig& config,
                          const ProgressFn<TrainSnapshot>& progress, const TrainExtras& extras) {
  return capture([&]() -> TrainResult {
    validate(config);
    const torch::Device device = device_from_name(config.device);
    model->to(device);
    keep_freed_memory();
    const int threads = config.threads > 0 ? config.threads
                                           : static_cast<int>(std::thread::hardware_concurrency());
    torch::set_num_threads(std::max(1, threads));
    torch::manual_seed(config.seed);

    const Dataset train_set = config.train_limit > 0 ? data.train.head(config.train_limit) : data.train;
    const Dataset test_set = config.test_limit > 0 ? data.test.head(config.test_limit) : data.test;
    require(train_set.size() > 0, "training set '" + data.train.name + "' is empty");
    Replicas* replicas = config.replicas.get();
    const int world = world_size(config);
    require(config.batch_size >= world && std::min(train_set.size(), config.batch_size) >= world,
            "a data-parallel run of " + std::to_string(world) + " replicas needs at least that many "
            "images in every batch; the batch size is " + std::to_string(config.batch_size) +
            " and the training set has " + std::to_string(train_set.size()));
    ReplicaScope scope(model, config.sync_batchnorm ? config.replicas : nullptr);

    BatchConfig bc;
    bc.batch_size = config.batch_size;
    bc.shuffle = true;
    bc.drop_last = train_set.size() > config.batch_size;  // avoid a BatchNorm batch of 1
    bc.crop_padding = config.crop_padding;
    bc.horizontal_flip = config.horizontal_flip;
    bc.random_resized_crop = config.random_resized_crop;
    bc.seed = config.seed;
    if (replicas != nullptr) {
      bc.shard_rank = replicas->rank();
      bc.shard_count = world;
    }
    Batcher batcher(train_set, data.normalization, bc);

    auto optimizer = make_optimizer(model, config, extras.parameters, extras.parameters_lr_scale,
                                    extras.parameters_weight_decay);
    const int64_t steps_per_epoch = batcher.num_batches();
    const int64_t steps_total = steps_per_epoch * config.epochs;
    TrainResult result;
    const auto run_start = Clock::now();
    int64_t step = 0, images_total = 0;
    int first_epoch = 0;
    if (config.resume) {
      const ResumePoint& from = *config.resume;
      require(from.epochs_done < config.epochs,
              "checkpoint '" + from.origin + "' has finished " + std::to_string(from.epochs_done) + " of the run's " +
                  std::to_string(config.epochs) + " epochs: nothing to resume (give more --epochs to train further)");
      load_weights(model, from.checkpoint, from.origin);
      if (!from.checkpoint.optimizer_state.empty())
        load_optimizer_state(*optimizer, from.checkpoint.optimizer_state, device);
      restore_generator(from);
      result.history = from.history;
      first_epoch = from.epochs_done;
      step = first_epoch * steps_per_epoch;
    }
    const int64_t first_step = step;  // the rate (for the ETA) counts this run's steps only
    // Every replica starts from rank 0's bits.
    if (replicas != nullptr) broadcast_state(*replicas, trained_state(model, extras), "start-of-run broadcast");
    double train_seconds = 0.0;
    bool stop_asked = false;  // the progress callback asked to stop (reaches every replica)

    for (int epoch = first_epoch; epoch < config.epochs && !result.cancelled; ++epoch) {
      model->train();
      batcher.start_epoch(epoch);
      Prefetcher batches(batcher);  // the next batches are made while this one trains
      const auto epoch_start = Clock::now();
      const double sync_before = replicas != nullptr ? replicas->collective_seconds() : 0.0;
      double loss_sum = 0.0;
      int64_t correct = 0, seen = 0;
      double lr = config.lr;
      for (int64_t i = 0; i < steps_per_epoch; ++i) {
        const double progress_epochs = epoch + static_cast<double>(i) / steps_per_epoch;
        if (extras.before_step) extras.before_step(progress_epochs);
        lr = learning_rate_at(config, progress_epochs);
        set_learning_rate(*optimizer, lr, extras.parameters_lr_scale);
        Batch b = batches.next();
        b.x = b.x.to(device);
        b.y = b.y.to(device);
        optimizer->zero_grad();
        auto logits = model->forward(to_channels_last(b.x));
        auto loss = torch::nn::functional::cross_entropy(
            logits, b.y,
            torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(config.label_smoothing));
        loss.backward();
        // This step over the global batch (every replica's rows when spread).
        StepTotals t{loss.item<double>() * b.y.size(0),
                     logits.argmax(1).eq(b.y).sum().item<int64_t>(), b.y.size(0), stop_asked};
        if (replicas != nullptr) {
          t = all_reduce(*replicas, t);
          if (t.stop) {
            result.cancelled = true;
            break;
          }
        }
        const double batch_loss = t.loss_sum / static_cast<double>(t.images);
        // Stop before a diverged step touches the weights, and before anything is saved.
        if (!std::isfinite(batch_loss)) {
          char lr_text[32];
          std::snprintf(lr_text, sizeof lr_text, "%g", lr);
          throw Error("training diverged: the loss became " +
                      std::string(std::isnan(batch_loss) ? "NaN" : "infinite") + " at step " +
                      std::to_string(i + 1) + " of epoch " + std::to_string(epoch + 1) +
                      " (learning rate " + lr_text +
                      "); nothing of this epoch was saved; lower the learning rate (--lr)");
        }
        if (replicas != nullptr)
          average_gradients(*replicas, trained_parameters(model, extras),
                            static_cast<double>(b.y.size(0)) / static_cast<double>(t.images));
        optimizer->step();
        ++step;
        loss_sum += t.loss_sum;
        correct += t.correct;
        seen += t.images;
        // Every 10 steps, and the run's first step (plots start drawing at once).
        if (progress && (i % 10 == 9 || i + 1 == steps_per_epoch || step == first_step + 1)) {
          const double elapsed = train_seconds + seconds_since(epoch_start);
          TrainSnapshot s;
          s.epoch = epoch;
          s.epochs = config.epochs;
          s.step = step;
          s.steps_total = steps_total;
          s.loss = loss_sum / seen;
          s.train_top1 = 100.0 * correct / seen;
          s.lr = lr;
          s.images_per_second = (images_total + seen) / std::max(elapsed, 1e-9);
          s.elapsed_seconds = seconds_since(run_start);
          s.eta_seconds = elapsed / (step - first_step) * (steps_total - step);
          if (!progress(s)) {
            stop_asked = true;
            if (replicas == nullptr) {
              result.cancelled = true;
              break;
            }
          }
        }
      }
      const double epoch_train_seconds = seconds_since(epoch_start);
      train_seconds += epoch_train_seconds;
      images_total += seen;
      if (result.cancelled) break;

      // Local BatchNorm statistics: every replica evaluates and saves the replicas' mean.
      if (replicas != nullptr && !config.sync_batchnorm) average_float_buffers(*replicas, *model);
      const EvalResult ev = evaluate(model, test_set, data.normalization, config.eval_batch_size, replicas);
      if (replicas != nullptr)
        check_replicas_agree(*replicas, trained_state(model, extras), "after epoch " + std::to_string(epoch + 1));
      EpochRecord rec;
      rec.epoch = epoch;
      rec.lr = lr;
      rec.train_loss = loss_sum / std::max<int64_t>(seen, 1);
      rec.train_top1 = 100.0 * correct / std::max<int64_t>(seen, 1);
      rec.test_loss = ev.loss;
      rec.test_top1 = ev.top1;
      rec.test_top5 = ev.top5;
      rec.seconds = seconds_since(epoch_start);
      rec.images_per_second = seen / std::max(epoch_train_seconds, 1e-9);
      rec.data_wait_seconds = batches.waited_seconds();
      if (replicas != nullptr) rec.sync_seconds = replicas->collective_seconds() - sync_before;
      result.history.push_back(rec);

      if (!config.checkpoint_path.empty() && writes_files(config)) {
        nlohmann::json meta = {{"epoch", epoch + 1}, {"top1", ev.top1}, {"top5", ev.top5},
                               {"train", to_json(config)}};
        Checkpoint ck = make_checkpoint(model, data.normalization, family_of(data.train.name), meta);
        ck.optimizer_state = save_optimizer_state(*optimizer);
        add_resume_meta(ck.meta, result.history);
        if (extras.add_to_checkpoint) extras.add_to_checkpoint(ck);
        save_checkpoint(config.checkpoint_path, ck);
      }
      if (progress) {
        TrainSnapshot s;
        s.epoch = epoch;
        s.epochs = config.epochs;
        s.step = step;
        s.steps_total = steps_total;
        s.loss = rec.train_loss;
        s.train_top1 = rec.train_top1;
        s.lr = lr;
        s.images_per_second = images_total / std::max(train_seconds, 1e-9);
        s.elapsed_seconds = seconds_since(run_start);
        s.eta_seconds = s.elapsed_seconds / std::max<int64_t>(step - first_step, 1) * (steps_total - step);
        s.epoch_end = true;
        s.test_top1 = ev.top1;
        if (!progress(s)) stop_asked = true;
      }
      // A stop asked at the epoch's end reaches every replica before the next epoch starts.
      if (replicas != nullptr) stop_asked = all_reduce(*replicas, StepTotals{0, 0, 0, stop_asked}).stop;
      if (stop_asked) result.cancelled = true;
    }
    result.wall_seconds = seconds_since(run_start);
    result.images_per_second = images_total / std::max(train_seconds, 1e-9);
    return result;
  });
}

}  // namespace bitshift
