#include "widgets/pareto.h"

#include <algorithm>

namespace bitshift::widgets {

QVector<int> paretoFront(const QVector<CostAccuracy>& points) {
  QVector<int> front;
  for (int i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (int j = 0; j < points.size() && !dominated; ++j) {
      const CostAccuracy &a = points[i], &b = points[j];
      dominated = b.cost <= a.cost && b.accuracy >= a.accuracy &&
                  (b.cost < a.cost || b.accuracy > a.accuracy);
    }
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end(), [&](int a, int b) {
    return points[a].cost < points[b].cost ||
           (points[a].cost == points[b].cost && points[a].accuracy < points[b].accuracy);
  });
  return front;
}

}  // namespace bitshift::widgets
