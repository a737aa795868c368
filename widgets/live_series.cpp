#include "widgets/live_series.h"

namespace bitshift::widgets {

void LiveSeries::append(double x, double y) {
  if (keys_.size() >= capacity_) {
    // Keep points 0, 2, 4, ... and the newest: half the points, the same time span.
    int kept = 0;
    for (int i = 0; i < keys_.size(); i += 2, ++kept) {
      keys_[kept] = keys_[i];
      values_[kept] = values_[i];
    }
    if ((keys_.size() - 1) % 2 != 0) {
      keys_[kept] = keys_.back();
      values_[kept] = values_.back();
      ++kept;
    }
    keys_.resize(kept);
    values_.resize(kept);
  }
  keys_.push_back(x);
  values_.push_back(y);
}

void LiveSeries::clear() {
  keys_.clear();
  values_.clear();
}

}  // namespace bitshift::widgets
