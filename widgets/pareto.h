#pragma once
// The Pareto front of runs: lowest cost for the accuracy, highest accuracy for the cost.
#include <QVector>

namespace bitshift::widgets {

struct CostAccuracy {
  double cost = 0.0;      // e.g. BOPs: lower is better
  double accuracy = 0.0;  // e.g. top-1: higher is better
};

// Indices of the points no other point beats (lower-or-equal cost and higher-or-equal
// accuracy, strictly better in one), sorted by cost. Exact duplicates all stay on the front.
QVector<int> paretoFront(const QVector<CostAccuracy>& points);

}  // namespace bitshift::widgets
