#include "dist/gloo_replicas.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glog/logging.h>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>

#include "util/error.h"

namespace bitshift {

namespace {

// A library message without LibTorch's backtrace (c10::Error carries one).
std::string plain_message(const std::exception& e) {
  if (const auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

int env_int(const char* name, int fallback, int lo, int hi) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  require(*end == '\0' && x >= lo && x <= hi, std::string("environment variable ") + name + "='" + v +
                                                  "': expected an integer in [" + std::to_string(lo) +
                                                  ", " + std::to_string(hi) + "]");
  return static_cast<int>(x);
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

class GlooReplicas final : public Replicas {
 public:
  GlooReplicas(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<c10d::ProcessGroupGloo> pg,
               int rank, int size)
      : store_(std::move(store)), pg_(std::move(pg)), rank_(rank), size_(size) {}

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& what) override {
    if (tensors.empty()) return;
    std::vector<torch::Tensor> flat = {flatten(tensors)};
    run(what, [&] { return pg_->allreduce(flat); });
    unflatten(flat[0], tensors);
  }

  void broadcast(std::vector<torch::Tensor>& tensors, int root, const std::string& what) override {
    if (tensors.empty()) return;
    std::vector<torch::Tensor> flat = {flatten(tensors)};
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    run(what, [&] { return pg_->broadcast(flat, opts); });
    unflatten(flat[0], tensors);
  }

  torch::Tensor all_gather(const torch::Tensor& t, const std::string& what) override {
    // Gloo gathers equal shapes: exchange the row counts, pad to the largest, trim after.
    std::vector<torch::Tensor> count = {torch::full({1}, t.size(0), torch::kInt64)};
    std::vector<std::vector<torch::Tensor>> counts(1);
    for (int r = 0; r < size_; ++r) counts[0].push_back(torch::empty_like(count[0]));
    run(what, [&] { return pg_->allgather(counts, count); });
    int64_t rows = 0;
    for (const auto& c : counts[0]) rows = std::max(rows, c.item<int64_t>());
    auto padded = t.contiguous();
    if (t.size(0) < rows) {
      auto shape = t.sizes().vec();
      shape[0] = rows - t.size(0);
      padded = torch::cat({padded, torch::zeros(shape, t.options())});
    }
    std::vector<torch::Tensor> in = {padded};
    std::vector<std::vector<torch::Tensor>> out(1);
    for (int r = 0; r < size_; ++r) out[0].push_back(torch::empty_like(padded));
    run(what, [&] { return pg_->allgather(out, in); });
    for (int r = 0; r < size_; ++r) out[0][r] = out[0][r].slice(0, 0, counts[0][r].item<int64_t>());
    return torch::cat(out[0], 0);
  }

 private:
  // One contiguous buffer for a list of tensors of one dtype: one message instead of many.
  static torch::Tensor flatten(const std::vector<torch::Tensor>& ts) {
    if (ts.size() == 1) return ts[0].detach().contiguous().clone();
    std::vector<torch::Tensor> flat;
    flat.reserve(ts.size());
    for (const auto& t : ts) {
      require(t.scalar_type() == ts[0].scalar_type(), "collective over tensors of different types");
      flat.push_back(t.detach().reshape({-1}));
    }
    return torch::cat(flat);
  }
  static void unflatten(const torch::Tensor& flat, std::vector<torch::Tensor>& ts) {
    torch::NoGradGuard no_grad;
    int64_t at = 0;
    for (auto& t : ts) {
      const int64_t n = t.numel();
      t.copy_(flat.slice(0, at, at + n).view(t.sizes()));
      at += n;
    }
  }
  double collective_seconds() const override { return seconds_; }

  template <class Launch>
  void run(const std::string& what, Launch launch) {
    const auto start = std::chrono::steady_clock::now();
    try {
      auto work = launch();
      work->wait();
      seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } catch (const std::exception& e) {
      // Of two, the one that stopped is the other; of more, Gloo's text names its address.
      const std::string who =
          size_ == 2 ? "rank " + std::to_string(1 - rank_) : std::string("another replica");
      throw Error("rank " + std::to_string(rank_) + " of " + std::to_string(size_) + ": " + what +
                  " failed: " + who + " stopped answering (it exited, was killed, or its host "
                  "is unreachable): " + plain_message(e));
    }
  }

  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg_;
  int rank_, size_;
  double seconds_ = 0.0;
};

}  // namespace

DistConfig dist_config_from_env(DistConfig c) {
  if (const char* a = std::getenv("MASTER_ADDR"); a != nullptr && *a != '\0') c.master_host = a;
  c.master_port = env_int("MASTER_PORT", c.master_port, 1, 65535);
  c.world_size = env_int("WORLD_SIZE", c.world_size, 1, 1 << 20);
  c.rank = env_int("RANK", c.rank, 0, (1 << 20) - 1);
  return c;
}

void validate(const DistConfig& c) {
  require(c.world_size >= 1, "world size must be at least 1, got " + std::to_string(c.world_size));
  require(c.rank >= 0 && c.rank < c.world_size, "rank must be in [0, " + std::to_string(c.world_size) +
                                                    "), got " + std::to_string(c.rank));
  require(c.master_port >= 1 && c.master_port <= 65535,
          "master port must be in 1..65535, got " + std::to_string(c.master_port));
  require(c.timeout_seconds >= 1, "timeout must be at least 1 s, got " + std::to_string(c.timeout_seconds));
  require(!c.master_host.empty(), "master host is empty");
}

std::shared_ptr<Replicas> join_replicas(const DistConfig& c) {
  validate(c);
  // c10d logs every failed bind, connect and lost peer to stderr (through glog) before it
  // throws; the Errors below say it once, naming the rank and the address.
  FLAGS_minloglevel = google::GLOG_FATAL;
  const std::string where = c.master_host + ":" + std::to_string(c.master_port);
  const auto timeout = std::chrono::milliseconds(1000LL * c.timeout_seconds);
  const int meet_seconds = c.rendezvous_timeout_seconds > 0 ? c.rendezvous_timeout_seconds : c.timeout_seconds;
  c10::intrusive_ptr<c10d::Store> store;
  try {
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(c.master_port);
    opts.isServer = c.rank == 0;
    opts.numWorkers = static_cast<std::size_t>(c.world_size);
    opts.waitWorkers = false;  // the process group's own rendezvous waits for everyone
    opts.timeout = std::chrono::milliseconds(1000LL * meet_seconds);
    store = c10::make_intrusive<c10d::TCPStore>(c.master_host, opts);
  } catch (const std::exception& e) {
    throw Error(c.rank == 0 ? "rank 0 cannot listen on " + where +
                                  " (is the port in use? choose another with --master HOST:PORT): " +
                                  plain_message(e)
                            : "rank " + std::to_string(c.rank) + " cannot reach the master at " +
                                  where + " within " + std::to_string(meet_seconds) +
                                  " s: " + plain_message(e));
  }
  try {
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    // Loopback runs stay on 127.0.0.1; multi-host runs use GLOO_SOCKET_IFNAME when set (as
    // PyTorch does), else the address this host's name resolves to.
    const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
    if (ifname != nullptr && *ifname != '\0')
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else if (is_loopback(c.master_host))
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store, c.rank, c.world_size, options);
    return std::make_shared<GlooReplicas>(store, pg, c.rank, c.world_size);
  } catch (const std::exception& e) {
    throw Error("rank " + std::to_string(c.rank) + " of " + std::to_string(c.world_size) +
                ": the replicas did not all meet at " + where + " within " +
                std::to_string(meet_seconds) + " s: " + plain_message(e));
  }
}

int free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  require(fd >= 0, "cannot open a socket to find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  require(ok, "cannot find a free TCP port on 127.0.0.1");
  return ntohs(addr.sin_port);
}

}  // namespace bitshift
