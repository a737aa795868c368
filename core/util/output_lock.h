#pragma once
// One writer per output: a run holds an exclusive lock on "<out>.lock" while it writes `out`,
// so that a second run given the same --out is refused at once instead of both succeeding and
// leaving a record that names the other's checkpoint. The lock goes with the process (even
// when it is killed); the small lock file stays.
#include <string>

namespace bitshift {

class OutputLock {
 public:
  // Throws Error naming `out` when another process holds it.
  explicit OutputLock(const std::string& out);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace bitshift
