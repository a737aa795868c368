#include "widgets/plot_export.h"

#include <QAbstractItemModel>
#include <QFileInfo>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>
#include "widgets/qcp.h"

namespace bitshift::widgets {

QString plotFileFilter() {
  return QObject::tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;JPEG image (*.jpg)");
}

namespace {

// QCustomPlot draws vectors on any QPaintDevice; QSvgGenerator is one.
bool saveSvg(QCustomPlot* plot, const QString& path) {
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(plot->size());
  svg.setViewBox(QRect(QPoint(0, 0), plot->size()));
  svg.setTitle(QStringLiteral("Bitshift plot"));
  QCPPainter painter;
  if (!painter.begin(&svg)) return false;
  plot->toPainter(&painter, plot->width(), plot->height());
  return painter.end();
}

}  // namespace

bool savePlot(QCustomPlot* plot, const QString& path, QString* error) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  bool ok = false;
  if (suffix == "png") {
    ok = plot->savePng(path, 0, 0, 2.0);
  } else if (suffix == "pdf") {
    ok = plot->savePdf(path);
  } else if (suffix == "svg") {
    ok = saveSvg(plot, path);
  } else if (suffix == "jpg" || suffix == "jpeg") {
    ok = plot->saveJpg(path, 0, 0, 2.0);
  } else {
    if (error) *error = QObject::tr("%1: unknown plot format '%2' (png, svg, pdf or jpg)").arg(path, suffix);
    return false;
  }
  if (!ok && error) *error = QObject::tr("could not write %1").arg(path);
  return ok;
}

namespace {

QString csv_field(QString s) {
  if (s.contains(',') || s.contains('"') || s.contains('\n')) {
    s.replace('"', "\"\"");
    return '"' + s + '"';
  }
  return s;
}

}  // namespace

bool saveCsv(const QAbstractItemModel& model, const QString& path, QString* error) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
    if (error) *error = QObject::tr("could not write %1: %2").arg(path, file.errorString());
    return false;
  }
  QTextStream out(&file);
  QStringList fields;
  for (int c = 0; c < model.columnCount(); ++c)
  {
    // A header's EditRole names the unit of the CSV's numbers ("Weights (bits)") where the
    // table shows another ("133.7 KiB").
    const QVariant csv_name = model.headerData(c, Qt::Horizontal, Qt::EditRole);
    fields << csv_field(csv_name.isValid() ? csv_name.toString() : model.headerData(c, Qt::Horizontal).toString());
  }
  out << fields.join(',') << '\n';
  for (int r = 0; r < model.rowCount(); ++r) {
    fields.clear();
    for (int c = 0; c < model.columnCount(); ++c)
    {
      const QVariant v = model.data(model.index(r, c), Qt::EditRole);
      // Doubles to 10 significant digits: 89.4, not 89.40000000000001.
      fields << csv_field(v.typeId() == QMetaType::Double ? QString::number(v.toDouble(), 'g', 10) : v.toString());
    }
    out << fields.join(',') << '\n';
  }
  out.flush();
  if (!file.commit()) {
    if (error) *error = QObject::tr("could not write %1: %2").arg(path, file.errorString());
    return false;
  }
  return true;
}

}  // namespace bitshift::widgets
