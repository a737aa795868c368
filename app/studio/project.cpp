#include "project.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace bitshift::app {

namespace {

constexpr int kProjectVersion = 1;

QJsonArray plan_json(const QVector<widgets::LayerRow>& rows) {
  QJsonArray a;
  for (const auto& r : rows)
    a.append(QJsonObject{{"layer", r.name}, {"type", r.type}, {"shape", r.shape},
                         {"params", r.params}, {"macs", r.macs}, {"w_bits", r.w_bits},
                         {"a_bits", r.a_bits}, {"method", r.method}});
  return a;
}

QVector<widgets::LayerRow> plan_from(const QJsonArray& a) {
  QVector<widgets::LayerRow> rows;
  for (const auto& v : a) {
    const QJsonObject o = v.toObject();
    widgets::LayerRow r;
    r.name = o["layer"].toString();
    r.type = o["type"].toString();
    r.shape = o["shape"].toString();
    r.params = o["params"].toInteger();
    r.macs = o["macs"].toInteger();
    r.w_bits = o["w_bits"].toInt(widgets::kFpBits);
    r.a_bits = o["a_bits"].toInt(widgets::kFpBits);
    r.method = o["method"].toString();
    rows.push_back(r);
  }
  return rows;
}

QJsonObject run_json(const widgets::RunRow& r) {
  return {{"name", r.name}, {"model", r.model}, {"data", r.data}, {"method", r.method},
          {"preset", r.preset}, {"top1", r.top1}, {"top5", r.top5}, {"fp32_top1", r.fp32_top1},
          {"bops", r.bops}, {"fp32_bops", r.fp32_bops}, {"weight_bits", r.weight_bits},
          {"wall_seconds", r.wall_seconds}, {"checkpoint", r.checkpoint},
          {"started_at", r.started_at}, {"plan", plan_json(r.plan)},
          {"export_path", r.export_path}, {"export_verdict", r.export_verdict}};
}

widgets::RunRow run_from(const QJsonObject& o) {
  widgets::RunRow r;
  r.name = o["name"].toString();
  r.model = o["model"].toString();
  r.data = o["data"].toString();
  r.method = o["method"].toString();
  r.preset = o["preset"].toString();
  r.top1 = o["top1"].toDouble();
  r.top5 = o["top5"].toDouble();
  r.fp32_top1 = o["fp32_top1"].toDouble();
  r.bops = o["bops"].toDouble();
  r.fp32_bops = o["fp32_bops"].toDouble();
  r.weight_bits = o["weight_bits"].toInteger();
  r.wall_seconds = o["wall_seconds"].toDouble();
  r.checkpoint = o["checkpoint"].toString();
  r.started_at = o["started_at"].toString();
  r.plan = plan_from(o["plan"].toArray());
  r.export_path = o["export_path"].toString();
  r.export_verdict = o["export_verdict"].toString();
  return r;
}

}  // namespace

QByteArray project_bytes(const Project& p) {
  QJsonArray runs;
  for (const auto& r : p.runs) runs.append(run_json(r));
  const QJsonObject training{{"epochs", p.training.epochs}, {"lr", p.training.lr},
                             {"train_limit", p.training.train_limit},
                             {"test_limit", p.training.test_limit}, {"seed", p.training.seed},
                             {"processes", p.training.processes}};
  const QJsonObject root{{"bitshift_project", kProjectVersion}, {"model", p.model},
                         {"data", p.data}, {"method", p.method}, {"preset", p.preset},
                         {"edges", p.edges}, {"plan", plan_json(p.plan)},
                         {"budget", p.budget}, {"locked", QJsonArray::fromStringList(p.locked)},
                         {"training", training}, {"runs", runs},
                         {"last_bundle", p.last_bundle}};
  return QJsonDocument(root).toJson();
}

bool save_project(const Project& p, const QString& path, QString* error) {
  QSaveFile file(path);  // written to a temporary file, renamed on commit
  if (!file.open(QIODevice::WriteOnly) || file.write(project_bytes(p)) < 0 || !file.commit()) {
    *error = QStringLiteral("cannot write project %1: %2").arg(path, file.errorString());
    return false;
  }
  return true;
}

bool load_project(const QString& path, Project* project, QString* error) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    *error = QStringLiteral("cannot read project %1: %2").arg(path, file.errorString());
    return false;
  }
  QJsonParseError parse;
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
  if (doc.isNull()) {
    *error = QStringLiteral("%1 is not JSON: %2 at byte %3")
                 .arg(path, parse.errorString()).arg(parse.offset);
    return false;
  }
  const QJsonObject o = doc.object();
  const int version = o["bitshift_project"].toInt(0);
  if (version != kProjectVersion) {
    *error = QStringLiteral("%1 is not a Bitshift project (expected \"bitshift_project\": %2)")
                 .arg(path).arg(kProjectVersion);
    return false;
  }
  Project p;
  p.model = o["model"].toString(p.model);
  p.data = o["data"].toString(p.data);
  p.method = o["method"].toString(p.method);
  p.preset = o["preset"].toString(p.preset);
  p.edges = o["edges"].toString();
  p.plan = plan_from(o["plan"].toArray());
  p.budget = o["budget"].toString(p.budget);
  for (const auto& v : o["locked"].toArray()) p.locked.push_back(v.toString());
  const QJsonObject t = o["training"].toObject();
  p.training.epochs = t["epochs"].toInt(p.training.epochs);
  p.training.lr = t["lr"].toDouble(p.training.lr);
  p.training.train_limit = t["train_limit"].toInteger(0);
  p.training.test_limit = t["test_limit"].toInteger(0);
  p.training.seed = t["seed"].toInteger(1);
  p.training.processes = std::max(1, t["processes"].toInt(1));
  for (const auto& v : o["runs"].toArray()) p.runs.push_back(run_from(v.toObject()));
  p.last_bundle = o["last_bundle"].toString();
  *project = p;
  return true;
}

}  // namespace bitshift::app
