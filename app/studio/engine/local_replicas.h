#pragma once
// A studio training run spread over local processes: the studio's own training thread is
// rank 0 (its reports drive the plots, it writes the checkpoint and the record) and
// bitshift-cli processes run ranks 1..N-1 of the same job.
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "dist/replicas.h"

namespace bitshift::studio {

struct TrainRequest;

class LocalReplicas {
 public:
  // Starts the helpers with the request's job (its plan read from `plan_file`, augmentation
  // `augment`) and joins them as rank 0. Throws Error naming what failed.
  LocalReplicas(const TrainRequest& request, const std::string& plan_file, const std::string& augment);
  // Waits a little for the helpers to finish, then stops those still running.
  ~LocalReplicas();
  LocalReplicas(const LocalReplicas&) = delete;
  LocalReplicas& operator=(const LocalReplicas&) = delete;

  const std::shared_ptr<Replicas>& group() const { return group_; }
  // Threads for this process's LibTorch: the cores shared out among the replicas.
  int threads_each() const { return threads_; }

 private:
  std::vector<pid_t> helpers_;
  std::shared_ptr<Replicas> group_;
  int threads_ = 1;
};

}  // namespace bitshift::studio
