// The collectives data-parallel training stands on, over a real Gloo group on 127.0.0.1: sums,
// broadcasts, uneven gathers, bucketed gradient averaging, the replica check, and batches that
// split into replicas' rows without changing what one process would see.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cmath>

#include "../test_util.h"
#include "data/batcher.h"
#include "data/registry.h"
#include "dist/data_parallel.h"
#include "replica_threads.h"

using namespace bitshift;
using bitshift::testing::with_replicas;

TEST(Collectives, AllReduceSumsEveryTensorOfAList) {
  with_replicas(2, [](Replicas& r) {
    std::vector<torch::Tensor> ts = {torch::full({3}, r.rank() + 1.0), torch::full({2, 2}, 10.0 * (r.rank() + 1))};
    r.all_reduce_sum(ts, "test");
    EXPECT_TRUE(ts[0].equal(torch::full({3}, 3.0)));
    EXPECT_TRUE(ts[1].equal(torch::full({2, 2}, 30.0)));
  });
}

TEST(Collectives, BroadcastCopiesRankZerosTensors) {
  with_replicas(2, [](Replicas& r) {
    std::vector<torch::Tensor> ts = {torch::full({4}, 7.0 + r.rank()), torch::full({1}, 1.0 * r.rank())};
    r.broadcast(ts, 0, "test");
    EXPECT_TRUE(ts[0].equal(torch::full({4}, 7.0)));
    EXPECT_TRUE(ts[1].equal(torch::zeros({1})));
  });
}

TEST(Collectives, AllGatherConcatenatesUnevenRowsInRankOrder) {
  with_replicas(2, [](Replicas& r) {
    // Rank 0 holds rows {0, 1}, rank 1 rows {2, 3, 4}.
    const auto mine = r.rank() == 0 ? torch::arange(0, 2 * 3).view({2, 3}) : torch::arange(6, 15).view({3, 3});
    const auto all = r.all_gather(mine.to(torch::kFloat), "test");
    EXPECT_TRUE(all.equal(torch::arange(0, 15).view({5, 3}).to(torch::kFloat)));
  });
}

TEST(Collectives, GradientsAreAveragedOverTheGlobalBatchInManyBuckets) {
  with_replicas(2, [](Replicas& r) {
    // Rank 0 had 1 of the 4 rows (share 1/4), rank 1 had 3 (share 3/4).
    const double share = r.rank() == 0 ? 0.25 : 0.75;
    std::vector<torch::Tensor> params;
    for (int i = 0; i < 5; ++i) {
      auto p = torch::zeros({3}, torch::requires_grad());
      p.mutable_grad() = torch::full({3}, r.rank() == 0 ? 4.0 : 8.0);
      params.push_back(p);
    }
    auto frozen = torch::zeros({2}, torch::requires_grad());  // no gradient: left alone
    params.push_back(frozen);
    average_gradients(r, params, share, /*bucket_bytes=*/16);  // one 12-byte tensor per bucket
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(params[i].grad().equal(torch::full({3}, 0.25 * 4 + 0.75 * 8)));
    EXPECT_FALSE(frozen.grad().defined());
  });
}

TEST(Collectives, TheReplicaCheckNamesTheRankThatDiffers) {
  std::vector<std::string> messages(2);
  with_replicas(2, [&](Replicas& r) {
    std::vector<torch::Tensor> state = {torch::ones({8}), torch::zeros({2}, torch::kInt64)};
    check_replicas_agree(r, state, "at start");  // equal: no error
    if (r.rank() == 1) state[0][5] = std::nextafter(1.0f, 2.0f);  // one bit of one value
    messages[r.rank()] = bitshift::testing::error_of([&] { check_replicas_agree(r, state, "after epoch 3"); });
  });
  EXPECT_CONTAINS(messages[0], "replica 1");
  EXPECT_CONTAINS(messages[0], "after epoch 3");
  EXPECT_EQ(messages[0], messages[1]);  // every replica stops with the same message
}

TEST(Collectives, ReplicasRowsOfABatchAreTheWholeBatchAugmentedAlike) {
  const DatasetPair data = open_dataset("fashion-mnist");
  BatchConfig bc;
  bc.batch_size = 37;  // not a multiple of the world: rows 18 + 19
  bc.seed = 5;
  bc.crop_padding = 2;
  bc.horizontal_flip = true;
  const Dataset train = data.train.head(200);
  Batcher whole(train, data.normalization, bc);
  whole.start_epoch(3);
  std::vector<torch::Tensor> xs, ys;
  for (int r = 0; r < 2; ++r) {
    BatchConfig shard = bc;
    shard.shard_rank = r;
    shard.shard_count = 2;
    Batcher b(train, data.normalization, shard);
    b.start_epoch(3);
    EXPECT_EQ(b.num_batches(), whole.num_batches());
    const Batch part = b.get(2);
    EXPECT_EQ(part.y.size(0), rows_of(37, r, 2).end - rows_of(37, r, 2).begin);
    xs.push_back(part.x);
    ys.push_back(part.y);
  }
  const Batch all = whole.get(2);
  EXPECT_TRUE(torch::cat(xs).equal(all.x));
  EXPECT_TRUE(torch::cat(ys).equal(all.y));
}

TEST(Collectives, AnUnreachableMasterFailsWithinTheTimeoutNamingIt) {
  DistConfig c;
  c.world_size = 2;
  c.rank = 1;
  c.master_port = free_local_port();  // nobody listens there
  c.timeout_seconds = 2;
  const auto start = std::chrono::steady_clock::now();
  const std::string e = bitshift::testing::error_of([&] { join_replicas(c); });
  EXPECT_CONTAINS(e, "cannot reach the master at 127.0.0.1:" + std::to_string(c.master_port));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 20.0);
}

TEST(Collectives, APortInUseIsNamed) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  DistConfig c;
  c.world_size = 2;
  c.rank = 0;
  c.master_port = ntohs(addr.sin_port);
  c.timeout_seconds = 2;
  const std::string e = bitshift::testing::error_of([&] { join_replicas(c); });
  ::close(fd);
  EXPECT_CONTAINS(e, "cannot listen on 127.0.0.1:" + std::to_string(c.master_port));
  EXPECT_CONTAINS(e, "port in use");
}
