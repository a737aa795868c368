#pragma once
// Continuing an interrupted run (a killed replica, a lost host, Ctrl-C) from the checkpoint of
// its last complete epoch: the trainer writes there what it needs to go on as if never stopped
// (the epochs' history, the optimizer's state, LibTorch's random generator), and a QAT run's
// checkpoint holds its quantizers too.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "train/checkpoint.h"
#include "train/trainer.h"

namespace bitshift {

struct ResumePoint {
  std::string origin;     // the checkpoint's path, for messages
  Checkpoint checkpoint;  // weights (and quantizers), optimizer state, meta
  int epochs_done = 0;
  std::vector<EpochRecord> history;
};

// Reads an epoch checkpoint. Throws Error naming the file when it cannot be resumed from (a
// baseline or a finished run's final checkpoint: no epoch count or history in it).
ResumePoint read_resume_point(const std::string& path);

// The meta an epoch checkpoint carries for resuming: the history so far and the state of
// LibTorch's default generator (NICE's and UNIQ's noise draw from it).
void add_resume_meta(nlohmann::json& meta, const std::vector<EpochRecord>& history);
// Puts the generator back where the checkpoint was written.
void restore_generator(const ResumePoint& point);

}  // namespace bitshift
