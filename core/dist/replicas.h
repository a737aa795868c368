#pragma once
// Replicas: the processes of one data-parallel run, each holding the same model and training on
// its own rows of every global batch. The few collectives training needs, behind an interface
// so that graph, data and training code do not see c10d (dist/gloo_replicas.h implements it on
// LibTorch's ProcessGroupGloo). Every replica calls the same collectives in the same order with
// tensors of the same shapes; a collective that fails (a replica died, a host went away) throws
// Error naming the operation.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace bitshift {

class Replicas {
 public:
  virtual ~Replicas() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Sums each tensor over the replicas, in place (one call for the list, not one per tensor).
  virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& what) = 0;
  // Copies `root`'s tensors into every replica's, in place.
  virtual void broadcast(std::vector<torch::Tensor>& tensors, int root, const std::string& what) = 0;
  // Every replica's `t` concatenated along dim 0 in rank order (shapes equal but for dim 0).
  virtual torch::Tensor all_gather(const torch::Tensor& t, const std::string& what) = 0;
  // Wall time spent in collectives so far (waiting for the others included).
  virtual double collective_seconds() const = 0;
};

// The rows [begin, end) of a batch of n that replica `rank` of `size` takes: contiguous, in rank
// order, sizes differing by at most one (the union over ranks is the whole batch).
struct RowRange {
  int64_t begin = 0, end = 0;
};
inline RowRange rows_of(int64_t n, int rank, int size) {
  return {n * rank / size, n * (rank + 1) / size};
}

}  // namespace bitshift
