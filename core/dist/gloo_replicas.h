#pragma once
// Joining a data-parallel run: rendezvous through a c10d TCPStore hosted by rank 0, collectives
// over c10d's ProcessGroupGloo (LibTorch's own CPU backend, in Debian's libtorch).
#include <memory>
#include <string>

#include "dist/replicas.h"

namespace bitshift {

struct DistConfig {
  int world_size = 1;
  int rank = 0;
  std::string master_host = "127.0.0.1";  // where rank 0 listens
  int master_port = 29500;
  // Bound on the rendezvous and on every collective: a replica that stops answering (killed,
  // host unreachable) makes the others fail within this time instead of hanging.
  int timeout_seconds = 60;
  // Bound on meeting the others at the start, when it should differ (0: timeout_seconds): the
  // studio waits long in collectives (a paused run) but not for a replica that never started.
  int rendezvous_timeout_seconds = 0;
};

// torchrun's environment (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK) over `base` where set;
// throws Error naming a variable that is not a number in range.
DistConfig dist_config_from_env(DistConfig base);

// Throws Error naming the field for a world size < 1, a rank outside [0, world size), a port
// outside 1..65535 or a timeout < 1 s.
void validate(const DistConfig& c);

// Connects to the other replicas (rank 0 listens on master_port; the others connect to it) and
// returns the group. Throws Error with a clear message when the port is in use, the master is
// unreachable within the timeout, or the other replicas do not all arrive.
std::shared_ptr<Replicas> join_replicas(const DistConfig& c);

// A TCP port on 127.0.0.1 free at the time of the call (for local multi-process runs).
int free_local_port();

}  // namespace bitshift
