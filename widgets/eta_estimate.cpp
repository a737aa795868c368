#include "widgets/eta_estimate.h"

#include <cmath>

namespace bitshift::widgets {

void EtaEstimate::reset() {
  last_step_ = -1;
  rate_ = 0.0;
}

void EtaEstimate::restart() { last_step_ = -1; }

void EtaEstimate::update(qint64 step, double seconds) {
  if (last_step_ < 0 || step < last_step_) {
    last_step_ = step;
    last_seconds_ = seconds;
    return;
  }
  const double dt = seconds - last_seconds_;
  if (step == last_step_ || dt <= 0.0) return;  // nothing new: keep the interval open
  const double now = static_cast<double>(step - last_step_) / dt;
  // Weighted by the interval's length: a long interval counts more than a short one.
  const double alpha = 1.0 - std::exp(-dt / window_);
  rate_ = rate_ > 0.0 ? rate_ + alpha * (now - rate_) : now;
  last_step_ = step;
  last_seconds_ = seconds;
}

double EtaEstimate::secondsLeft(qint64 steps_left) const {
  if (rate_ <= 0.0) return -1.0;
  return static_cast<double>(steps_left) / rate_;
}

}  // namespace bitshift::widgets
