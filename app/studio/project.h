#pragma once
// A studio project: the model and data, the plan being edited, the training settings, every
// finished run and the last export, saved as one JSON file (written to a temporary name, then
// renamed).
#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include "widgets/studio_types.h"

namespace bitshift::app {

struct TrainingSettings {
  int epochs = 1;
  double lr = 0.005;
  qint64 train_limit = 0;  // 0 = every training image
  qint64 test_limit = 0;
  qint64 seed = 1;
  int processes = 1;  // > 1: data-parallel over this many local processes
};

struct Project {
  QString model = QStringLiteral("resnet20");  // zoo name or checkpoint path
  QString data = QStringLiteral("fashion-mnist");
  QString method = QStringLiteral("nice");
  QString preset = QStringLiteral("w4a4");
  // First/last-layer policy; empty = the method's own. By default 8-bit: a plan that exports
  // to integers as it stands (most methods' own policy keeps the first layer in FP32).
  QString edges = QStringLiteral("8bit");
  QVector<widgets::LayerRow> plan;
  // Fit to budget: the budget ("bops=w3a3", "weights=96") and the layers it must leave alone.
  QString budget = QStringLiteral("bops=w3a3");
  QStringList locked;
  TrainingSettings training;
  QVector<widgets::RunRow> runs;
  QString last_bundle;
};

// The file's bytes: what is saved, and what tells an edited project from its file.
QByteArray project_bytes(const Project& project);
// Returns false and sets *error (naming the file and what is wrong) on failure.
bool save_project(const Project& project, const QString& path, QString* error);
bool load_project(const QString& path, Project* project, QString* error);

}  // namespace bitshift::app
