#pragma once
// Time left in a run from its step reports, smoothed so that it does not jump with the
// machine's load: an exponential moving average of the step rate over about the last
// `window_seconds`. Pauses are not steps: after one, restart() re-anchors the clock.
#include <QtGlobal>

namespace bitshift::widgets {

class EtaEstimate {
 public:
  explicit EtaEstimate(double window_seconds = 20.0) : window_(window_seconds) {}

  void reset();    // a new run
  void restart();  // resumed after a pause: the next report starts a new interval
  // The run is at `step` at `seconds` (a clock that does not jump).
  void update(qint64 step, double seconds);
  // Seconds for `steps_left` more steps; negative while unknown (before two reports).
  double secondsLeft(qint64 steps_left) const;
  double stepsPerSecond() const { return rate_; }

 private:
  double window_;
  qint64 last_step_ = -1;
  double last_seconds_ = 0.0;
  double rate_ = 0.0;  // steps per second, smoothed; 0 = unknown
};

}  // namespace bitshift::widgets
