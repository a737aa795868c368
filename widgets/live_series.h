#pragma once
// A plot series that stays bounded however long a run goes: past `capacity` points it keeps
// every other point (the newest always), so the whole history stays visible at half the
// resolution and appending stays O(1) amortised.
#include <QVector>

namespace bitshift::widgets {

class LiveSeries {
 public:
  explicit LiveSeries(int capacity = 2000) : capacity_(capacity < 4 ? 4 : capacity) {}

  void append(double x, double y);
  void clear();
  int size() const { return keys_.size(); }
  int capacity() const { return capacity_; }
  const QVector<double>& keys() const { return keys_; }
  const QVector<double>& values() const { return values_; }

 private:
  int capacity_;
  QVector<double> keys_, values_;
};

}  // namespace bitshift::widgets
