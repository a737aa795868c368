#include "cli/progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace bitshift::cli {

std::string format_duration(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), tty_(::isatty(STDERR_FILENO) != 0),
      last_(std::chrono::steady_clock::now()) {}

bool ProgressBar::update(const TrainSnapshot& s) {
  const auto now = std::chrono::steady_clock::now();
  const bool due = std::chrono::duration<double>(now - last_).count() >= (tty_ ? 0.1 : 5.0);
  if (!due && !s.epoch_end) return true;
  last_ = now;
  const double frac = s.steps_total > 0 ? static_cast<double>(s.step) / s.steps_total : 0.0;
  const int width = 24, filled = static_cast<int>(frac * width);
  std::string bar(filled, '#');
  bar.resize(width, '-');
  char line[256];
  std::snprintf(line, sizeof line,
                "%s [%s] %3.0f%% epoch %d/%d loss %.4f acc %5.2f%% lr %.2e %6.0f img/s ETA %s",
                label_.c_str(), bar.c_str(), 100.0 * frac, s.epoch + 1, s.epochs, s.loss,
                s.train_top1, s.lr, s.images_per_second, format_duration(s.eta_seconds).c_str());
  if (s.epoch_end) {
    // Each finished epoch keeps its own line with the test accuracy.
    std::fprintf(stderr, "%s%s test %.2f%%\n", tty_ ? "\r\033[K" : "", line, s.test_top1);
    drawn_ = false;
  } else if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line);
    drawn_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line);
  }
  std::fflush(stderr);
  return true;
}

void ProgressBar::finish() {
  if (drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace bitshift::cli
