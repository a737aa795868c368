#pragma once
// What several studio tests start from: LeNet-5 projects and run rows.
#include <QString>

#include "project.h"
#include "widgets/studio_types.h"

namespace bitshift::test {

// LeNet-5 from its shipped baseline, NICE at `preset`, with a small fine-tuning budget.
inline app::Project lenet_project(const QString& preset = QStringLiteral("w4a4"),
                                  const QString& edges = QStringLiteral("quantized")) {
  app::Project p;
  p.model = QStringLiteral("lenet5");
  p.method = QStringLiteral("nice");
  p.preset = preset;
  p.edges = edges;
  p.training.epochs = 1;
  p.training.train_limit = 2048;
  p.training.test_limit = 500;
  return p;
}

// A finished run as the compare page needs it: a name, its BOPs and top-1.
inline widgets::RunRow run_row(const char* name, double bops, double top1) {
  widgets::RunRow r;
  r.name = QString::fromLatin1(name);
  r.bops = bops;
  r.top1 = top1;
  return r;
}

}  // namespace bitshift::test
