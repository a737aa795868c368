#pragma once
// A small image folder for the studio tests: ROOT/{train,test}/{a,b,c}/*.png, flat-coloured
// RGB photos of two sizes (32x32 and 40x30), 4 per class and split.
#include <QColor>
#include <QDir>
#include <QImage>
#include <QString>

namespace bitshift::test {

inline QString write_photo_folder(const QString& root) {
  for (const char* split : {"train", "test"})
    for (int k = 0; k < 3; ++k)
      for (int i = 0; i < 4; ++i) {
        const QString dir = root + QLatin1Char('/') + QLatin1String(split) + QLatin1Char('/') +
                            QChar(QLatin1Char('a').unicode() + k);
        QDir().mkpath(dir);
        QImage img(i % 2 ? 40 : 32, i % 2 ? 30 : 32, QImage::Format_RGB888);
        img.fill(QColor(60 * k, 200 - 50 * k, 20 * i));
        img.save(dir + QStringLiteral("/%1.png").arg(i));
      }
  return root;
}

}  // namespace bitshift::test
