#pragma once
// A terminal progress bar on stderr: percent, epoch, loss, accuracy, images/s and ETA.
// On a terminal it redraws one line; otherwise (logs, CI) it prints a line every few seconds.
#include <chrono>
#include <string>

#include "train/trainer.h"

namespace bitshift::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  // Draws a training snapshot; always returns true (never cancels).
  bool update(const TrainSnapshot& s);
  // Ends the bar's line.
  void finish();

 private:
  std::string label_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

// "1:05:09" / "03:27" style durations.
std::string format_duration(double seconds);

}  // namespace bitshift::cli
