#pragma once
// Saving what the studio shows: a plot as PNG, SVG, JPEG or PDF (by the file's suffix) and a table
// model as CSV (display text, header first).
#include <QString>

class QAbstractItemModel;
class QCustomPlot;

namespace bitshift::widgets {

// The file-dialog filter for savePlot().
QString plotFileFilter();
// Returns false and sets *error (naming the path) when the format is unknown or writing fails.
bool savePlot(QCustomPlot* plot, const QString& path, QString* error);
bool saveCsv(const QAbstractItemModel& model, const QString& path, QString* error);

}  // namespace bitshift::widgets
